import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLocalHttpClient } from "../../../src/sms/local-http-client.ts";
import { interpretReply, parseInboundMessage, twimlMessage, verifyTwilioSignature } from "../../../src/sms/twilio-webhook.ts";
import { startTwilioDouble, type AcceptedMessage, type TwilioDouble } from "../../twilio-double/server.ts";
import { startWebhookReceiver } from "../../twilio-double/webhook-receiver.ts";

// The double's own contract beyond what the provider test drives: its control endpoints, its
// crash-surviving log, its listing semantics and its standalone process.

const accountSid = `AC${"1".repeat(32)}`;
const authToken = "2".repeat(32);

function clientFor(double: TwilioDouble): twilio.Twilio {
  return twilio(accountSid, authToken, {
    httpClient: createLocalHttpClient(double.baseUrl) as unknown as twilio.RequestClient,
  });
}

describe("in-process double", () => {
  let double: TwilioDouble;
  let logFile: string;

  beforeAll(async () => {
    logFile = join(mkdtempSync(join(tmpdir(), "twilio-double-")), "accepted.jsonl");
    double = await startTwilioDouble({ accountSid, authToken, logFile });
  });
  afterAll(() => double.close());
  afterEach(() => {
    double.reset();
    double.configure({ listLagMs: 0 });
  });

  it("counts acceptances per reference and appends each to the JSONL log", async () => {
    const client = clientFor(double);
    const send = (ref: string | null, body: string) =>
      client.messages.create({
        to: "+8613812345678",
        from: "+8610690012351",
        body,
        ...(ref && { statusCallback: `http://127.0.0.1:9/status?ref=${ref}` }),
      });
    await send("n1", "a");
    await send("n2", "b");
    await send("n1", "a");
    await send(null, "c");

    expect(double.summary()).toMatchObject({ accepted: 4, distinctReferences: 2, duplicates: 1, withoutReference: 1 });
    // The log is written in groups; flushLog() writes what is pending.
    double.flushLog();
    const lines = readFileSync(logFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as AcceptedMessage);
    expect(lines.map((l) => l.reference)).toEqual(["n1", "n2", "n1", null]);
    expect(lines).toEqual(double.accepted());

    const after = await fetch(`${double.baseUrl}/__double/messages?after=${lines[1]!.seq}`);
    expect(((await after.json()) as { messages: AcceptedMessage[] }).messages.map((m) => m.body)).toEqual(["a", "c"]);
  });

  it("hides messages younger than the configured listing lag, as Twilio's eventual listing does", async () => {
    double.configure({ listLagMs: 60_000 });
    const client = clientFor(double);
    const created = await client.messages.create({ to: "+8613812345678", from: "+8610690012351", body: "lag" });
    expect(await client.messages.list({ to: "+8613812345678" })).toHaveLength(0);
    expect((await client.messages(created.sid).fetch()).body).toBe("lag");
    double.configure({ listLagMs: 0 });
    expect(await client.messages.list({ to: "+8613812345678" })).toHaveLength(1);
  });

  it("keeps paging stable while new messages arrive at the head of the list", async () => {
    const client = clientFor(double);
    for (let i = 0; i < 4; i += 1) {
      await client.messages.create({ to: "+8613812345678", from: "+8610690012351", body: `m${i}` });
    }
    const first = await client.messages.page({ to: "+8613812345678", pageSize: 2 });
    await client.messages.create({ to: "+8613812345678", from: "+8610690012351", body: "newest" });
    const second = await first.nextPage();
    const seen = [...first.instances, ...second!.instances].map((m) => m.body);
    expect(new Set(seen).size).toBe(4);
    expect(seen).not.toContain("newest");
    expect(second!.nextPageUrl).toBeUndefined();
  });

  it("filters DateSent by whole UTC day and refuses a malformed date", async () => {
    const client = clientFor(double);
    await client.messages.create({ to: "+8613812345678", from: "+8610690012351", body: "today" });
    await waitUntil(() => double.accepted().every((m) => double.message(m.sid)!.dateSent !== null));
    const today = new Date().toISOString().slice(0, 10);
    const auth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
    const list = (query: string) =>
      fetch(`${double.baseUrl}/2010-04-01/Accounts/${accountSid}/Messages.json?${query}`, { headers: { Authorization: auth } });
    const sameDay = (await (await list(`DateSent=${today}`)).json()) as { messages: unknown[] };
    expect(sameDay.messages).toHaveLength(1);
    const onOrBefore = (await (await list(`DateSent%3C=${today}`)).json()) as { messages: unknown[] };
    expect(onOrBefore.messages).toHaveLength(1);
    const bad = await list("DateSent=yesterday");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 20001 });
  });

  it("refuses bodies that are missing or over 1600 characters, and a missing sender", async () => {
    const client = clientFor(double);
    const codeOf = (params: Parameters<typeof client.messages.create>[0]) =>
      client.messages.create(params).then(
        () => null,
        (error: { code?: number }) => error.code,
      );
    expect(await codeOf({ to: "+8613812345678", from: "+8610690012351", body: "" })).toBe(21602);
    expect(await codeOf({ to: "+8613812345678", from: "+8610690012351", body: "中".repeat(1601) })).toBe(21617);
    expect(await codeOf({ to: "+8613812345678", body: "x" })).toBe(21603);
  });

  it("simulates a worker's reply: signs the inbound webhook and returns our TwiML answer", async () => {
    const receiver = await startWebhookReceiver((webhook) => ({
      status: 200,
      contentType: "text/xml",
      body: twimlMessage(`收到：${interpretReply(webhook.params.Body ?? "")}`),
    }));
    try {
      const answer = await fetch(`${double.baseUrl}/__double/inbound`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ url: `${receiver.baseUrl}/inbound`, from: "+8613812345678", to: "+8610690012351", body: "ＴＤ" }),
      });
      const reply = (await answer.json()) as { status: number; body: string };
      expect(reply.status).toBe(200);
      expect(reply.body).toBe(twimlMessage("收到：OPT_OUT"));
      const [webhook] = receiver.received;
      expect(verifyTwilioSignature({ authToken, publicUrl: webhook!.url, params: webhook!.params, signature: webhook!.signature })).toBe(true);
      expect(parseInboundMessage(webhook!.params)).toMatchObject({ from: "+8613812345678", body: "ＴＤ" });
    } finally {
      await receiver.close();
    }
  });

  it("validates runtime configuration", async () => {
    const post = (body: unknown) =>
      fetch(`${double.baseUrl}/__double/config`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect((await post({ failureRates: { serverError: 2 } })).status).toBe(400);
    expect((await post({ unknownKnob: true })).status).toBe(400);
    const ok = await post({ ratePerSecond: 500, latencyMs: { min: 1, max: 2 } });
    expect(await ok.json()).toMatchObject({ ratePerSecond: 500, latencyMs: { min: 1, max: 2 } });
    double.configure({ ratePerSecond: null, latencyMs: { min: 0, max: 0 } });
  });
});

describe("standalone double process", () => {
  let child: ChildProcess;

  afterAll(() => {
    child?.kill("SIGTERM");
  });

  it("prints its base URL as one JSON line and serves the SDK and the control endpoints", async () => {
    child = spawn(
      process.execPath,
      ["--import", "tsx", "test/twilio-double/main.ts", "--port", "0", "--account-sid", accountSid, "--auth-token", authToken,
        "--config", JSON.stringify({ seed: 7 })],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const [line] = await new Promise<string[]>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once("line", (first) => resolve([first]));
      child.once("exit", (code) => reject(new Error(`double exited with ${code}`)));
    });
    const started = JSON.parse(line!) as { baseUrl: string; accountSid: string; pid: number };
    expect(started).toMatchObject({ accountSid, pid: child.pid });

    const client = twilio(accountSid, authToken, {
      httpClient: createLocalHttpClient(started.baseUrl) as unknown as twilio.RequestClient,
    });
    await client.messages.create({ to: "+8613812345678", from: "+8610690012351", body: "hi", statusCallback: "http://127.0.0.1:9/s?ref=n9" });
    const summary = await (await fetch(`${started.baseUrl}/__double/summary`)).json();
    expect(summary).toMatchObject({ accepted: 1, distinctReferences: 1, duplicates: 0 });
    expect(await (await fetch(`${started.baseUrl}/__double/config`)).json()).toMatchObject({ seed: 7 });

    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 30_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
