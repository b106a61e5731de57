// The node:http client the worker uses towards the Twilio double: the real twilio SDK through it
// must create, fetch and list like through the fetch-based client, and its failures must map to
// the same typed errors (refused = certainly not sent; timed out = maybe sent).
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeHttpClient } from "../../../src/sms/node-http-client.ts";
import { SmsPermanentError, SmsTransientError } from "../../../src/sms/provider.ts";
import { TwilioProvider } from "../../../src/sms/twilio-provider.ts";
import { startTwilioDouble, type TwilioDouble } from "../../twilio-double/server.ts";

const accountSid = `AC${randomBytes(16).toString("hex")}`;
const authToken = randomBytes(16).toString("hex");
let double: TwilioDouble;

beforeAll(async () => {
  double = await startTwilioDouble({ accountSid, authToken, config: { callbacks: { enabled: false } } });
});
afterAll(async () => {
  await double.close();
});

function provider(baseUrl: string, timeoutMs = 5_000) {
  return new TwilioProvider({
    accountSid,
    credentials: { authToken },
    sender: { messagingServiceSid: `MG${"c".repeat(32)}` },
    httpClient: createNodeHttpClient(baseUrl, { timeoutMs, maxSockets: 4 }),
    lookupSettleMs: 0,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("createNodeHttpClient", () => {
  it("sends, fetches and finds messages through the SDK over kept-alive sockets", async () => {
    const p = provider(double.baseUrl);
    // More sends than sockets: they queue on the agent and all arrive once.
    const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => p.send({ to: "+8613812345678", body: `第${i}条`, reference: `r${i}` })));
    expect(new Set(sent.map((s) => s.providerMessageId)).size).toBe(12);
    expect(double.accepted().filter((m) => m.to === "+8613812345678")).toHaveLength(12);
    const fetched = await p.fetch(sent[3]!.providerMessageId);
    expect(fetched).toMatchObject({ providerMessageId: sent[3]!.providerMessageId, body: "第3条" });
    const found = await p.findByReference({ to: "+8613812345678", reference: "r5", body: "第5条", sentAfter: new Date(Date.now() - 60_000), sentBefore: new Date() });
    expect(found?.providerMessageId).toBe(sent[5]!.providerMessageId);
    expect(await p.fetch(`SM${"0".repeat(32)}`)).toBeNull();
  });

  it("passes Twilio's error answers through to the typed errors", async () => {
    const error = await rejection(provider(double.baseUrl).send({ to: "12345", body: "x", reference: "bad" }));
    expect(error).toBeInstanceOf(SmsPermanentError);
    expect((error as SmsPermanentError).providerCode).toBe("21211");
  });

  it("maps a refused connection to certainly-not-sent and an unanswered one to maybe-sent", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await rejection(provider(`http://127.0.0.1:${closedPort}`).send({ to: "+8613812345678", body: "x", reference: "x" }));
    expect(refused).toBeInstanceOf(SmsTransientError);
    expect((refused as SmsTransientError).mayHaveBeenSent).toBe(false);

    // A server that accepts the connection and never answers.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const timedOut = await rejection(provider(`http://127.0.0.1:${port}`, 200).send({ to: "+8613812345678", body: "x", reference: "x" }));
      expect(timedOut).toBeInstanceOf(SmsTransientError);
      expect((timedOut as SmsTransientError).mayHaveBeenSent).toBe(true);
    } finally {
      silent.close();
    }
  });
});
