// Prisma's schema engine as WebAssembly (@prisma/schema-engine-wasm): the same migration diffing
// the CLI does, without the native binary the CLI would try to download.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

type DiffTarget =
  | { tag: "empty" }
  | { tag: "schemaDatamodel"; files: { path: string; content: string }[] }
  /** The live database the engine's adapter connects to. */
  | { tag: "schemaDatasource"; files: { path: string; content: string }[]; configDir: string };

interface SchemaEngine {
  diff(params: { from: DiffTarget; to: DiffTarget; script: boolean; exitCode: boolean | null; filters: { externalTables: string[]; externalEnums: string[] } }): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

const require = createRequire(import.meta.url);

export async function loadSchemaEngine(schema: string, connectionString?: string): Promise<SchemaEngine> {
  const pkgDir = path.resolve(path.dirname(require.resolve("@prisma/adapter-pg")), "../../schema-engine-wasm");
  const bg = (await import(path.join(pkgDir, "schema_engine_bg.js"))) as Record<string, unknown> & {
    __wbg_set_wasm(exports: WebAssembly.Exports): void;
    SchemaEngine: { new: (opts: unknown, log: (msg: string) => void, adapter: object) => Promise<SchemaEngine> };
  };
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(pkgDir, "schema_engine_bg.wasm")), {
    "./schema_engine_bg.js": bg as WebAssembly.ModuleImports,
  });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  const factory = new PrismaPg({ connectionString: connectionString ?? "postgresql://unused@127.0.0.1:1/unused" });
  // The engine expects the Result-wrapped adapter shape that Prisma's own CLI binds.
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  return bg.SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => undefined, adapter);
}

export async function diffSql(from: DiffTarget, to: DiffTarget, schema: string, connectionString?: string): Promise<string> {
  const engine = await loadSchemaEngine(schema, connectionString);
  try {
    const result = await engine.diff({ from, to, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } });
    return result.stdout ?? "";
  } finally {
    engine.free();
  }
}
