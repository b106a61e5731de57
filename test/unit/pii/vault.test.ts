import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPiiVault } from "../../../src/pii/vault.ts";

const k1 = { id: "k1", key: randomBytes(32).toString("base64") };
const k2 = { id: "k2", key: randomBytes(32).toString("base64") };
const mac = randomBytes(32).toString("base64");

describe("PII vault", () => {
  it("seals with the first key, never in clear, and opens what it sealed", () => {
    const vault = createPiiVault([k1], mac);
    const sealed = vault.seal("11010519491231002X");
    expect(sealed).toMatch(/^v1\.k1\./);
    expect(sealed).not.toContain("11010519491231002X");
    expect(vault.seal("11010519491231002X")).not.toBe(sealed); // fresh IV each time
    expect(vault.open(sealed)).toBe("11010519491231002X");
  });

  it("rotates: a vault whose first key is new still opens values sealed with the old key", () => {
    const old = createPiiVault([k1], mac);
    const rotated = createPiiVault([k2, k1], mac);
    const sealed = old.seal("+8613812345678");
    expect(rotated.open(sealed)).toBe("+8613812345678");
    expect(rotated.seal("x")).toMatch(/^v1\.k2\./);
    expect(() => createPiiVault([k2], mac).open(sealed)).toThrow();
  });

  it("detects tampering", () => {
    const vault = createPiiVault([k1], mac);
    const parts = vault.seal("13812345678").split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => vault.open(parts.join("."))).toThrow();
  });

  it("hashes deterministically with the key, and differently under another key", () => {
    const a = createPiiVault([k1], mac);
    const b = createPiiVault([k1], randomBytes(32).toString("base64"));
    expect(a.hash("11010519491231002X")).toBe(a.hash("11010519491231002X"));
    expect(a.hash("11010519491231002X")).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash("11010519491231002X")).not.toBe(b.hash("11010519491231002X"));
  });

  it("seals and opens bytes", () => {
    const vault = createPiiVault([k1, k2], mac);
    const data = randomBytes(100_000);
    const sealed = vault.sealBytes(data);
    expect(sealed.includes(data.subarray(0, 64))).toBe(false);
    expect(createPiiVault([k2, k1], mac).openBytes(sealed).equals(data)).toBe(true);
  });
});
