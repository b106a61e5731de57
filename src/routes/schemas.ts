// Schemas shared by several resources.
import { z } from "@hono/zod-openapi";

export const OrgKindSchema = z.enum(["CITY_UNION", "DISTRICT_UNION", "ENTERPRISE_UNION", "TRANSPORT_OPERATOR"]).openapi("OrgKind");
export const RoleSchema = z.enum(["ADMIN", "STAFF", "READ_ONLY"]).openapi("Role");
export const RegionCodeSchema = z
  .string()
  .regex(/^\d{6}$/, "a 6-digit GB/T 2260 code")
  .openapi({ description: "GB/T 2260 region code", example: "320500" });
export const IsoDateSchema = z.iso.date().openapi({ description: "Calendar date (Asia/Shanghai)", example: "2027-01-25" });
