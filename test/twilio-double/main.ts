import { parseArgs } from "node:util";
import { doubleConfigPatchSchema } from "./config.ts";
import { startTwilioDouble } from "./server.ts";

// Runs the Twilio double as its own process (for the SMS benchmark, which kills and restarts
// workers around it). Prints one JSON line with its base URL once it listens. There is no
// separate callback secret: like Twilio, the double signs callbacks with the auth token.
//
//   npx tsx test/twilio-double/main.ts --port 0 --account-sid AC… --auth-token … \
//     [--api-key SK…:secret] [--log-file accepted.jsonl] [--config '{"ratePerSecond":500}']

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "account-sid": { type: "string" },
    "auth-token": { type: "string" },
    "api-key": { type: "string", multiple: true, default: [] },
    "log-file": { type: "string" },
    config: { type: "string", default: "{}" },
  },
  strict: true,
});

const apiKeys = Object.fromEntries(
  values["api-key"].map((pair) => {
    const colon = pair.indexOf(":");
    if (colon < 1) throw new Error(`--api-key expects SID:SECRET, got ${pair}`);
    return [pair.slice(0, colon), pair.slice(colon + 1)];
  }),
);

const double = await startTwilioDouble({
  host: values.host,
  port: Number(values.port),
  accountSid: values["account-sid"],
  authToken: values["auth-token"],
  apiKeys,
  logFile: values["log-file"],
  config: doubleConfigPatchSchema.parse(JSON.parse(values.config)),
});

process.stdout.write(
  `${JSON.stringify({ baseUrl: double.baseUrl, accountSid: double.accountSid, authToken: double.authToken, pid: process.pid })}\n`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void double.close().then(() => process.exit(0));
  });
}
