// Shared by the SMS integration tests: the Twilio double, our app served over HTTP (so the double
// can post signed status callbacks to it), and a config that points the real SDK at the double.
import { getRequestListener } from "@hono/node-server";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../../src/db/types.ts";
import type { Config } from "../../src/config.ts";
import { startTwilioDouble, type TwilioDouble } from "../twilio-double/server.ts";
import { buildTestApp, testConfig } from "../helpers/app.ts";

export interface SmsStage {
  double: TwilioDouble;
  config: Config;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startSmsStage(db: Db, overrides: Record<string, string> = {}): Promise<SmsStage> {
  const double = await startTwilioDouble();
  let handler: ((req: never, res: never) => void) | undefined;
  const server: Server = createServer((req, res) => handler!(req as never, res as never));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig({
    TWILIO_ACCOUNT_SID: double.accountSid,
    TWILIO_AUTH_TOKEN: double.authToken,
    TWILIO_MESSAGING_SERVICE_SID: `MG${"a".repeat(32)}`,
    TWILIO_API_BASE_URL: double.baseUrl,
    PUBLIC_BASE_URL: baseUrl,
    SMS_QUIET_HOURS: "00:00-00:00",
    SMS_RATE_PER_SECOND: "1000",
    SMS_SEND_TIMEOUT_MS: "500",
    SMS_LOOKUP_SETTLE_MS: "0",
    ...overrides,
  });
  const app = buildTestApp(db, {}, config);
  handler = getRequestListener(app.fetch) as never;
  return {
    double,
    config,
    baseUrl,
    async close() {
      await double.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
