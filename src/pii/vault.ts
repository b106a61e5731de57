// Personal data at rest (PIPL): ID numbers and mobiles are stored as AES-256-GCM ciphertext with
// the id of the key that sealed them (so keys rotate: the first configured key seals, all open),
// and looked up / deduplicated by a keyed hash (HMAC-SHA256) that cannot be reversed without the key.
import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from "node:crypto";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";

export interface PiiVault {
  /** Id of the key new values are sealed with. */
  readonly keyId: string;
  /** "v1.<keyId>.<iv>.<ciphertext+tag>" (base64url parts). */
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Hex HMAC-SHA256 of the normalised value; the same input always gives the same hash. */
  hash(plaintext: string): string;
  /** Seals a binary buffer (uploaded files, held while an import runs). */
  sealBytes(plaintext: Buffer): Buffer;
  openBytes(sealed: Buffer): Buffer;
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs are cut from a pool of random bytes refilled in bulk: one system call per 1,024 IVs instead of one per value. */
const IV_POOL_BYTES = IV_BYTES * 1_024;
let ivPool = Buffer.alloc(0);
let ivOffset = IV_POOL_BYTES;

function freshIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    // A new buffer each refill: IVs already handed out keep their bytes.
    ivPool = randomFillSync(Buffer.allocUnsafe(IV_POOL_BYTES));
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export function createPiiVault(keys: { id: string; key: string }[], hmacKey: string): PiiVault {
  if (keys.length === 0) throw new Error("at least one PII encryption key is required");
  const byId = new Map(keys.map((k) => [k.id, Buffer.from(k.key, "base64")]));
  for (const [id, key] of byId) if (key.length !== 32) throw new Error(`PII key ${id} must be 32 bytes`);
  const current = keys[0]!;
  const currentKey = byId.get(current.id)!;
  const mac = Buffer.from(hmacKey, "base64");

  function keyFor(id: string): Buffer {
    const key = byId.get(id);
    if (!key) throw new AppError("INTERNAL", { detail: `PII key ${id} is not configured` });
    return key;
  }

  function encrypt(key: Buffer, plaintext: Buffer) {
    const iv = freshIv();
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv, body: Buffer.concat([body, cipher.getAuthTag()]) };
  }

  function decrypt(key: Buffer, iv: Buffer, sealed: Buffer): Buffer {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    const rest = decipher.final(); // checks the tag; GCM has nothing left to output
    // No copy of an upload chunk just to append nothing.
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  }

  return {
    keyId: current.id,
    seal(plaintext) {
      const { iv, body } = encrypt(currentKey, Buffer.from(plaintext, "utf8"));
      return `${VERSION}.${current.id}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed) {
      const [version, keyId, iv, body] = sealed.split(".");
      if (version !== VERSION || !keyId || !iv || !body) throw new AppError("INTERNAL", { detail: "unreadable sealed value" });
      return decrypt(keyFor(keyId), Buffer.from(iv, "base64url"), Buffer.from(body, "base64url")).toString("utf8");
    },
    hash(plaintext) {
      return createHmac("sha256", mac).update(plaintext, "utf8").digest("hex");
    },
    sealBytes(plaintext) {
      const id = Buffer.from(current.id, "utf8");
      const { iv, body } = encrypt(currentKey, plaintext);
      return Buffer.concat([Buffer.from([id.length]), id, iv, body]);
    },
    openBytes(sealed) {
      const idLength = sealed[0] ?? 0;
      const id = sealed.subarray(1, 1 + idLength).toString("utf8");
      const iv = sealed.subarray(1 + idLength, 1 + idLength + IV_BYTES);
      return decrypt(keyFor(id), iv, sealed.subarray(1 + idLength + IV_BYTES));
    },
  };
}

/** The vault of a configuration; development fills the keys in (see runtime/dev-secrets.ts). */
export function piiVaultFromConfig(config: Pick<Config, "PII_ENCRYPTION_KEYS" | "PII_HMAC_KEY">): PiiVault {
  if (!config.PII_ENCRYPTION_KEYS || !config.PII_HMAC_KEY) {
    throw new Error("PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required to handle personal data");
  }
  return createPiiVault(config.PII_ENCRYPTION_KEYS, config.PII_HMAC_KEY);
}
