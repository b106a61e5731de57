import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// A tiny HTTP server that records the webhooks the Twilio double posts (status callbacks,
// inbound messages), so tests can inspect and verify them.

export interface ReceivedWebhook {
  /** The URL as the sender addressed it (what Twilio signs). */
  url: string;
  signature: string | undefined;
  params: Record<string, string>;
}

export interface WebhookReceiver {
  baseUrl: string;
  received: ReceivedWebhook[];
  /** Resolves once `predicate` holds for the received list, or rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  respond: (webhook: ReceivedWebhook) => { status: number; contentType: string; body: string } = () => ({
    status: 204,
    contentType: "text/plain",
    body: "",
  }),
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  let baseUrl = "";

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const webhook: ReceivedWebhook = {
        url: baseUrl + (req.url ?? "/"),
        signature: req.headers["x-twilio-signature"] as string | undefined,
        params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))),
      };
      received.push(webhook);
      for (const wake of waiters) wake();
      const answer = respond(webhook);
      res.writeHead(answer.status, { "Content-Type": answer.contentType });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    received,
    waitFor(predicate, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          cleanup();
          resolve(received);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`webhook condition not met within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
