import { appendFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { countSegments } from "../../src/sms/segments.ts";
import { STATUS_CALLBACK_REFERENCE_PARAM } from "../../src/sms/twilio-webhook.ts";
import {
  DEFAULT_DOUBLE_CONFIG,
  doubleConfigPatchSchema,
  mergeDoubleConfig,
  type DoubleConfig,
  type DoubleConfigPatch,
} from "./config.ts";
import { DeliverySimulator } from "./delivery-simulator.ts";
import { listMessages, parseListQuery } from "./message-list.ts";
import { seededRandom } from "../../src/lib/seeded-random.ts";
import { createWebhookPoster } from "./signed-webhook.ts";
import {
  API_VERSION,
  messageJson,
  newSid,
  twilioError,
  wholeSeconds,
  type DoubleMessage,
  type TwilioErrorReply,
} from "./twilio-format.ts";

// A local stand-in for Twilio's REST API (Messages: create, fetch, list), driven in tests and in
// the SMS benchmark through the real twilio SDK. Besides the API it offers /__double/* endpoints
// to read the log of accepted messages, reconfigure, reset and simulate an inbound SMS.

export interface TwilioDoubleOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  accountSid?: string;
  authToken?: string;
  /** API key SID → secret, accepted for Basic auth like Twilio's API keys. */
  apiKeys?: Record<string, string>;
  /**
   * Every accepted message is also appended here as a JSON line, surviving the process. Lines are
   * written in groups every few milliseconds (one write instead of one per message); `flushLog()`
   * and `close()` write what is pending.
   */
  logFile?: string;
  config?: DoubleConfigPatch;
}

export interface AcceptedMessage {
  seq: number;
  sid: string;
  to: string;
  body: string;
  /** Our notification id, read from the StatusCallback URL when it carries one. */
  reference: string | null;
  acceptedAt: string;
}

export interface DoubleSummary {
  accepted: number;
  distinctReferences: number;
  /** Acceptances beyond the first for the same reference. */
  duplicates: number;
  withoutReference: number;
  callbacks: { posted: number; failed: number };
}

export interface TwilioDouble {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  accepted(afterSeq?: number): AcceptedMessage[];
  message(sid: string): DoubleMessage | undefined;
  summary(): DoubleSummary;
  configure(patch: DoubleConfigPatch): DoubleConfig;
  reset(): void;
  /** Writes the accepted messages not yet in `logFile`. */
  flushLog(): void;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/;

const inboundSchema = z.object({
  url: z.url(),
  from: z.string().min(1),
  to: z.string().min(1),
  body: z.string(),
});

function referenceOf(statusCallback: string | null): string | null {
  if (statusCallback === null) return null;
  try {
    return new URL(statusCallback).searchParams.get(STATUS_CALLBACK_REFERENCE_PARAM);
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

function replyError(res: ServerResponse, error: TwilioErrorReply): void {
  reply(res, error.status, error.body);
}

export async function startTwilioDouble(options: TwilioDoubleOptions = {}): Promise<TwilioDouble> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString("hex")}`;
  const authToken = options.authToken ?? randomBytes(16).toString("hex");
  const apiKeys = options.apiKeys ?? {};
  let config = mergeDoubleConfig(DEFAULT_DOUBLE_CONFIG, options.config ?? {});
  let random = seededRandom(config.seed);
  let bucket = { tokens: config.ratePerSecond ?? 0, refilledAt: Date.now() };

  const messages: DoubleMessage[] = [];
  const bySid = new Map<string, DoubleMessage>();
  // Messages per recipient: a list filtered by To (the crash-window lookup) reads only those, as
  // Twilio's own index does, instead of every message of the run (hundreds of lookups over 200,000
  // messages after a worker was killed blocked the double long enough for sends to time out).
  const byTo = new Map<string, DoubleMessage[]>();
  const log: AcceptedMessage[] = [];
  let seq = 0;
  const poster = createWebhookPoster({ authToken });
  let simulator = new DeliverySimulator({ poster, config: () => config, random: () => random() });
  if (options.logFile) writeFileSync(options.logFile, "", { flag: "a" });
  let pendingLines: string[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  function flushLog(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!options.logFile || pendingLines.length === 0) return;
    const text = pendingLines.join("");
    pendingLines = [];
    appendFileSync(options.logFile, text);
  }
  function logLine(line: string): void {
    pendingLines.push(line);
    if (pendingLines.length >= 1_000) flushLog();
    else flushTimer ??= setTimeout(flushLog, 20);
  }

  function authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? "";
    if (!header.startsWith("Basic ")) return false;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const [user, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return (user === accountSid && secret === authToken) || (user in apiKeys && apiKeys[user] === secret);
  }

  function takeRateToken(): boolean {
    if (config.ratePerSecond === null) return true;
    const now = Date.now();
    const capacity = Math.max(1, config.ratePerSecond);
    bucket = {
      tokens: Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 1000) * config.ratePerSecond),
      refilledAt: now,
    };
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  function store(message: DoubleMessage): void {
    messages.push(message);
    bySid.set(message.sid, message);
    const forRecipient = byTo.get(message.to);
    if (forRecipient) forRecipient.push(message);
    else byTo.set(message.to, [message]);
  }

  function validateCreate(form: URLSearchParams): TwilioErrorReply | null {
    const to = form.get("To");
    const body = form.get("Body");
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!form.get("From") && !form.get("MessagingServiceSid")) {
      return twilioError(400, 21603, "A 'From' phone number is required.");
    }
    if (!body) return twilioError(400, 21602, "Message body is required.");
    if (body.length > 1600) {
      return twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    }
    if (config.unsubscribed.includes(to)) return twilioError(400, 21610, "Attempt to send to unsubscribed recipient");
    if (config.notMobilePrefixes.some((prefix) => to.startsWith(prefix))) {
      return twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);
    }
    return null;
  }

  function createMessage(res: ServerResponse, form: URLSearchParams): void {
    const draw = random();
    const { serverError, tooManyRequests, serverErrorAfterAccept } = config.failureRates;
    if (draw < serverError) return replyError(res, twilioError(500, 20500, "An internal server error has occurred"));
    if (draw < serverError + tooManyRequests || !takeRateToken()) {
      return replyError(res, twilioError(429, 20429, "Too Many Requests"));
    }
    const invalid = validateCreate(form);
    if (invalid) return replyError(res, invalid);

    const now = Date.now();
    const messagingServiceSid = form.get("MessagingServiceSid");
    const from = form.get("From");
    const statusCallback = form.get("StatusCallback");
    const validityPeriod = form.get("ValidityPeriod");
    const message: DoubleMessage = {
      seq: (seq += 1),
      sid: newSid("SM"),
      accountSid,
      direction: "outbound-api",
      to: form.get("To")!,
      from: from || null,
      messagingServiceSid: messagingServiceSid || null,
      body: form.get("Body")!,
      // With a Messaging Service Twilio first accepts, then picks a sender and queues.
      status: from ? "queued" : "accepted",
      numSegments: countSegments(form.get("Body")!).segments,
      errorCode: null,
      errorMessage: null,
      dateCreated: wholeSeconds(now),
      dateUpdated: wholeSeconds(now),
      dateSent: null,
      arrivedAtMs: now,
      statusCallback: statusCallback || null,
      validityPeriod: validityPeriod ? Number(validityPeriod) : null,
      reference: referenceOf(statusCallback),
    };
    store(message);
    const entry: AcceptedMessage = {
      seq: message.seq,
      sid: message.sid,
      to: message.to,
      body: message.body,
      reference: message.reference,
      acceptedAt: new Date(now).toISOString(),
    };
    log.push(entry);
    if (options.logFile) logLine(`${JSON.stringify(entry)}\n`);
    const snapshot = messageJson(message);
    if (config.callbacks.enabled) simulator.start(message);

    if (random() < serverErrorAfterAccept) {
      return replyError(res, twilioError(500, 20500, "An internal server error has occurred"));
    }
    reply(res, 201, snapshot);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): Promise<void> {
    if (!authorized(req)) {
      return reply(
        res,
        401,
        {
          code: 20003,
          detail: "Your AccountSid or AuthToken was incorrect.",
          message: "Authenticate",
          more_info: "https://www.twilio.com/docs/errors/20003",
          status: 401,
        },
        { "WWW-Authenticate": 'Basic realm="Twilio API"' },
      );
    }
    const { min, max } = config.latencyMs;
    if (max > 0) await new Promise((resolve) => setTimeout(resolve, min + (max - min) * random()));

    const match = MESSAGE_PATH.exec(url.pathname);
    if (!match || match[1] !== accountSid) {
      return replyError(res, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    const messageSid = match[2];
    if (messageSid === undefined && req.method === "POST") return createMessage(res, new URLSearchParams(rawBody));
    if (messageSid === undefined && req.method === "GET") {
      const query = parseListQuery(url.searchParams);
      if ("status" in query) return replyError(res, query);
      const visibleBeforeMs = Date.now() - config.listLagMs;
      const candidates = query.to !== null ? (byTo.get(query.to) ?? []) : messages;
      return reply(res, 200, listMessages({ messages: candidates, accountSid, search: url.searchParams, query, visibleBeforeMs }));
    }
    if (messageSid !== undefined && req.method === "GET") {
      const message = bySid.get(messageSid);
      if (!message) return replyError(res, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
      return reply(res, 200, messageJson(message));
    }
    return replyError(res, twilioError(405, 20004, "Method not allowed"));
  }

  function summary(): DoubleSummary {
    const perReference = new Map<string, number>();
    let withoutReference = 0;
    for (const entry of log) {
      if (entry.reference === null) withoutReference += 1;
      else perReference.set(entry.reference, (perReference.get(entry.reference) ?? 0) + 1);
    }
    let duplicates = 0;
    for (const count of perReference.values()) duplicates += count - 1;
    return {
      accepted: log.length,
      distinctReferences: perReference.size,
      duplicates,
      withoutReference,
      callbacks: { ...simulator.stats },
    };
  }

  function configure(patch: DoubleConfigPatch): DoubleConfig {
    config = mergeDoubleConfig(config, patch);
    if (patch.seed !== undefined) random = seededRandom(config.seed);
    if (patch.ratePerSecond !== undefined) bucket = { tokens: config.ratePerSecond ?? 0, refilledAt: Date.now() };
    return config;
  }

  function reset(): void {
    void simulator.close();
    simulator = new DeliverySimulator({ poster, config: () => config, random: () => random() });
    messages.length = 0;
    bySid.clear();
    byTo.clear();
    log.length = 0;
    seq = 0;
    random = seededRandom(config.seed);
    bucket = { tokens: config.ratePerSecond ?? 0, refilledAt: Date.now() };
    pendingLines = [];
    if (options.logFile) writeFileSync(options.logFile, "");
  }

  async function simulateInbound(res: ServerResponse, rawBody: string): Promise<void> {
    const parsed = inboundSchema.safeParse(JSON.parse(rawBody || "{}"));
    if (!parsed.success) return reply(res, 400, { error: z.prettifyError(parsed.error) });
    const { url, from, to, body } = parsed.data;
    const now = Date.now();
    const message: DoubleMessage = {
      seq: (seq += 1),
      sid: newSid("SM"),
      accountSid,
      direction: "inbound",
      to,
      from,
      messagingServiceSid: null,
      body,
      status: "received",
      numSegments: countSegments(body).segments,
      errorCode: null,
      errorMessage: null,
      dateCreated: wholeSeconds(now),
      dateUpdated: wholeSeconds(now),
      dateSent: wholeSeconds(now),
      arrivedAtMs: now,
      statusCallback: null,
      validityPeriod: null,
      reference: null,
    };
    store(message);
    const params = {
      AccountSid: accountSid,
      ApiVersion: API_VERSION,
      Body: body,
      From: from,
      MessageSid: message.sid,
      NumMedia: "0",
      NumSegments: String(message.numSegments),
      SmsMessageSid: message.sid,
      SmsSid: message.sid,
      SmsStatus: "received",
      To: to,
    };
    const answer = await poster.post(url, params);
    reply(res, 200, { messageSid: message.sid, ...answer });
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /__double/messages") {
      return reply(res, 200, { messages: log.filter((entry) => entry.seq > Number(url.searchParams.get("after") ?? 0)) });
    }
    if (route === "GET /__double/summary") return reply(res, 200, summary());
    if (route === "GET /__double/config") return reply(res, 200, config);
    if (route === "POST /__double/config") {
      const patch = doubleConfigPatchSchema.safeParse(JSON.parse(rawBody || "{}"));
      if (!patch.success) return reply(res, 400, { error: z.prettifyError(patch.error) });
      return reply(res, 200, configure(patch.data));
    }
    if (route === "POST /__double/reset") {
      reset();
      return reply(res, 200, { reset: true });
    }
    if (route === "POST /__double/inbound") return simulateInbound(res, rawBody);
    return reply(res, 404, { error: `no control endpoint ${route}` });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://twilio-double");
    readBody(req)
      .then((rawBody) =>
        url.pathname.startsWith("/__double/")
          ? handleControl(req, res, url, rawBody)
          : handleApi(req, res, url, rawBody),
      )
      .catch((error: unknown) => {
        if (!res.headersSent) reply(res, 500, { error: String(error) });
        else res.end();
      });
  });

  // Twilio's edge keeps idle connections open far longer than Node's default of 5 s. With the
  // default, a client that reuses a socket just as the server closes it gets ECONNRESET on a send
  // — a "maybe sent" that costs a lookup and a retry (seen dozens of times per 100,000 sends).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    baseUrl: `http://${host}:${address.port}`,
    accountSid,
    authToken,
    accepted: (afterSeq = 0) => log.filter((entry) => entry.seq > afterSeq),
    message: (sid) => bySid.get(sid),
    summary,
    configure,
    reset,
    flushLog,
    async close() {
      flushLog();
      await simulator.close();
      poster.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
