import { randomUUID } from "node:crypto";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import twilio from "twilio";

// Posts forms to webhooks the way Twilio does, signed with the account's auth token. The
// signature comes from the twilio SDK, an implementation independent of src/sms/twilio-webhook.ts,
// so a test of our verifier against this double checks it against Twilio's own algorithm.
//
// Bounded keep-alive pools: at benchmark rates (three callbacks per message) unbounded parallel
// connections overflow the receiver's accept queue and time out.

export interface WebhookAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

export interface WebhookPoster {
  post(url: string, params: Record<string, string>, signal?: AbortSignal): Promise<WebhookAnswer>;
  close(): void;
}

const NETWORK_RETRIES = 2;
const TIMEOUT_MS = 10_000;

export function createWebhookPoster(options: { authToken: string; maxSockets?: number }): WebhookPoster {
  const maxSockets = options.maxSockets ?? 32;
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });

  function once(url: URL, body: string, signature: string, signal?: AbortSignal): Promise<WebhookAnswer> {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: "POST",
          agent: url.protocol === "https:" ? httpsAgent : httpAgent,
          signal,
          timeout: TIMEOUT_MS,
          headers: {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Content-Length": Buffer.byteLength(body),
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": randomUUID(),
            "User-Agent": "TwilioProxy/1.1",
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers["content-type"] ?? null,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("webhook timed out")));
      req.on("error", reject);
      req.end(body);
    });
  }

  return {
    async post(target, params, signal) {
      const url = new URL(target);
      const body = new URLSearchParams(params).toString();
      const signature = twilio.getExpectedTwilioSignature(options.authToken, target, params);
      // A reused keep-alive socket closed by the receiver is this machine's artefact, not an
      // answer: retried. An HTTP answer, whatever its status, is final, as with Twilio.
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await once(url, body, signature, signal);
        } catch (error) {
          if (attempt >= NETWORK_RETRIES || signal?.aborted) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
        }
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
