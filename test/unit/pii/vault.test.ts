import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
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

  it("seals every length as standard AES-256-GCM: the bytes and tag OpenSSL gives for the same IV", () => {
    const key = Buffer.from(k1.key, "base64");
    const vault = createPiiVault([k1], mac);
    const samples: string[] = ["", "a"];
    for (let length = 1; length <= 48; length++) samples.push(randomBytes(length).toString("base64").slice(0, length));
    for (let count = 1; count <= 12; count++) samples.push("买买提·艾力".slice(0, count % 6) + "测".repeat(count));
    samples.push("11010519491231002X", "+8613812345678", "𠮷".repeat(8), "𠮷".repeat(9));
    // Enough values to go through more than one refill of the IV pool.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 400; i++) {
        const plaintext = samples[i % samples.length]!;
        const sealed = vault.seal(plaintext);
        const [version, keyId, ivText, bodyText] = sealed.split(".");
        expect([version, keyId]).toEqual(["v1", "k1"]);
        const iv = Buffer.from(ivText!, "base64url");
        const body = Buffer.from(bodyText!, "base64url");
        expect(iv).toHaveLength(12);
        const cipher = createCipheriv("aes-256-gcm", key, iv);
        const expected = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
        expect(body.equals(expected)).toBe(true);
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAuthTag(body.subarray(body.length - 16));
        expect(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8")).toBe(plaintext);
        expect(vault.open(sealed)).toBe(plaintext);
      }
    }
  });

  it("never reuses an IV", () => {
    const vault = createPiiVault([k1], mac);
    const ivs = new Set<string>();
    for (let i = 0; i < 5_000; i++) ivs.add(vault.seal(i % 2 ? "13812345678" : "a much longer value than an ID number or a mobile").split(".")[2]!);
    expect(ivs.size).toBe(5_000);
  });

  it("detects tampering with the tag", () => {
    const vault = createPiiVault([k1], mac);
    const parts = vault.seal("11010519491231002X").split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[body.length - 1] = body[body.length - 1]! ^ 0x80;
    parts[3] = body.toString("base64url");
    expect(() => vault.open(parts.join("."))).toThrow();
  });

  it("seals and opens bytes", () => {
    const vault = createPiiVault([k1, k2], mac);
    const data = randomBytes(100_000);
    const sealed = vault.sealBytes(data);
    expect(sealed.includes(data.subarray(0, 64))).toBe(false);
    expect(createPiiVault([k2, k1], mac).openBytes(sealed).equals(data)).toBe(true);
  });
});
