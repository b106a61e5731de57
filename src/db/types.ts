// Type-only view of the generated Prisma client, so that code reachable from the Workers entry
// does not import the Node build of the client (the Workers entry constructs its own).
import type { PrismaClient, Prisma } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;
export type DbOrTx = Db | Tx;
export type { Prisma };

/** Prisma's unique-constraint violation, recognised by code so no runtime import is needed. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}
