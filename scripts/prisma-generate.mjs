// `prisma generate` without network: the CLI insists on locating a native schema engine first,
// even though generation does not use it. Point it at an existing file and disable telemetry.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/false",
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};
const steps = [["node", ["node_modules/prisma/build/index.js", "generate"]]];
if (existsSync("scripts/build-regions.mjs")) steps.push(["node", ["scripts/build-regions.mjs"]]);
for (const [cmd, args] of steps) {
  const result = spawnSync(cmd, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
