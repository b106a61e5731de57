// Development and test defaults for the personal-data keys: generated once into DATA_DIR so that
// data encrypted yesterday can still be read today. Production must configure its own keys
// (parseConfig refuses to start without them).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";

export function withDevSecrets(config: Config): Config {
  if (config.PII_ENCRYPTION_KEYS && config.PII_HMAC_KEY) return config;
  const file = path.resolve(config.DATA_DIR, "dev-secrets.json");
  let secrets: { encryptionKey: string; hmacKey: string };
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, "utf8"));
  } else {
    secrets = { encryptionKey: randomBytes(32).toString("base64"), hmacKey: randomBytes(32).toString("base64") };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    ...config,
    PII_ENCRYPTION_KEYS: config.PII_ENCRYPTION_KEYS ?? [{ id: "dev1", key: secrets.encryptionKey }],
    PII_HMAC_KEY: config.PII_HMAC_KEY ?? secrets.hmacKey,
  };
}
