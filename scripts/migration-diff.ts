// Writes the migration with the SQL that takes the last committed schema (git HEAD) to the
// current prisma/schema.prisma:   npm run db:diff -- <name>
// While a migration folder is not yet committed it is rewritten in place (keeping its timestamp),
// so the pending migration always equals HEAD → working schema. Review the SQL before committing
// it together with the schema change.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { diffSql } from "./lib/schema-engine.ts";
import { parseConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { resolveServices } from "../src/runtime/services.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:diff -- <snake_case_name>");
  process.exit(2);
}
const current = readFileSync("prisma/schema.prisma", "utf8");
let previous: string | undefined;
try {
  previous = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
} catch {
  previous = undefined;
}
const from = previous ? { tag: "schemaDatamodel" as const, files: [{ path: "schema.prisma", content: previous }] } : { tag: "empty" as const };
// The engine wants a live connection even for a schema-to-schema diff.
const services = await resolveServices(parseConfig(process.env), createLogger("warn"), { redis: false });
const sql = await diffSql(from, { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: current }] }, current, services.databaseUrl);
await services.stop();
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log("schema unchanged: no migration written");
  process.exit(0);
}
const untracked = execFileSync("git", ["ls-files", "--others", "--exclude-standard", "--directory", "prisma/migrations"], { encoding: "utf8" })
  .split("\n")
  .map((line) => line.trim().replace(/\/$/, ""))
  .filter((line) => /^prisma\/migrations\/\d{14}_[a-z0-9_]+$/.test(line));
if (untracked.length > 1) {
  console.error(`more than one uncommitted migration (${untracked.join(", ")}): keep one`);
  process.exit(2);
}
const stamp = untracked[0] ? path.basename(untracked[0]).slice(0, 14) : new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join("prisma/migrations", `${stamp}_${name}`);
if (untracked[0] && untracked[0] !== dir) rmSync(untracked[0], { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
writeFileSync("prisma/migrations/migration_lock.toml", 'provider = "postgresql"\n');
console.log(`wrote ${dir}/migration.sql`);
