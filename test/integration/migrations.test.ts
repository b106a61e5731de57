// The committed migrations produce exactly prisma/schema.prisma: a database migrated step by step
// and a database built in one go from the schema (Prisma's diff from empty) have the same
// catalogue — columns, types, defaults, nullability, indexes, constraints and enums.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/db/migrate.ts";
import { diffSql } from "../../scripts/lib/schema-engine.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let migrated: TestDatabase;
let fromSchema: TestDatabase;

beforeAll(async () => {
  migrated = await createTestDatabase();
  fromSchema = await createTestDatabase();
});
afterAll(async () => {
  await migrated.drop();
  await fromSchema.drop();
});

async function catalogue(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => JSON.stringify(r)).sort();
    return {
      columns: await q(`SELECT table_name, column_name, data_type, udt_name, character_maximum_length, is_nullable, column_default
                        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`),
      constraints: await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`),
      enums: await q(`SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid`),
    };
  } finally {
    await client.end();
  }
}

describe("migrations", () => {
  it("build the same database as the Prisma schema", async () => {
    const schema = readFileSync("prisma/schema.prisma", "utf8");
    const wholeSchemaSql = await diffSql({ tag: "empty" }, { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] }, schema, fromSchema.url);
    // The template is already migrated: start both from scratch.
    for (const db of [migrated, fromSchema]) {
      await db.db.$executeRawUnsafe("DROP SCHEMA public CASCADE");
      await db.db.$executeRawUnsafe("CREATE SCHEMA public");
    }
    await applyMigrations(migrated.url);
    const client = new pg.Client({ connectionString: fromSchema.url });
    await client.connect();
    await client.query(wholeSchemaSql);
    await client.end();
    expect(await catalogue(migrated.url)).toEqual(await catalogue(fromSchema.url));
  });

  it("are recorded like prisma migrate deploy and not applied twice", async () => {
    const again = await applyMigrations(migrated.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBeGreaterThanOrEqual(2);
    const rows = await migrated.db.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`;
    expect(rows.map((r) => r.migration_name)[0]).toMatch(/_foundation$/);
  });

  it("npm run db:migrate applies them to DATABASE_URL", async () => {
    const fresh = await createTestDatabase();
    try {
      await fresh.db.$executeRawUnsafe("DROP SCHEMA public CASCADE");
      await fresh.db.$executeRawUnsafe("CREATE SCHEMA public");
      const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "db:migrate"], { env: { ...process.env, DATABASE_URL: fresh.url, LOG_LEVEL: "info" } });
      expect(stdout).toContain("migrations applied");
      expect(await catalogue(fresh.url)).toEqual(await catalogue(migrated.url));
    } finally {
      await fresh.drop();
    }
  });
});
