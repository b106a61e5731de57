import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config.ts";

describe("configuration", () => {
  it("applies documented defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: "127.0.0.1", DATA_DIR: ".data", SMS_QUIET_HOURS: "22:00-08:00", START_WORKERS: true });
  });

  it("names every bad variable in one error", () => {
    try {
      parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", PII_HMAC_KEY: "short" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain("PORT");
      expect(message).toContain("DATABASE_URL");
      expect(message).toContain("PII_HMAC_KEY");
    }
  });

  it("treats empty strings as unset and parses key lists for rotation", () => {
    const key = Buffer.alloc(32, 1).toString("base64");
    const config = parseConfig({ REDIS_URL: "", PII_ENCRYPTION_KEYS: `k2:${key}, k1:${key}` });
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.PII_ENCRYPTION_KEYS?.map((k) => k.id)).toEqual(["k2", "k1"]);
  });

  it("refuses production without personal-data keys", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(/PII_ENCRYPTION_KEYS/);
  });
});
