import { z } from "zod";

// What the Twilio double can be told at start-up and at run time (POST /__double/config).

const rate = z.number().min(0).max(1);
const range = z
  .object({ min: z.number().min(0), max: z.number().min(0) })
  .refine((r) => r.min <= r.max, { message: "min must not exceed max" });

export const doubleConfigSchema = z.object({
  /** Seed of the generator behind latency, failure injection and delivery outcomes. */
  seed: z.number().int(),
  /** Added to every REST request. */
  latencyMs: range,
  /** Per create request; `serverErrorAfterAccept` accepts (and logs) the message, then answers 500. */
  failureRates: z.object({ serverError: rate, tooManyRequests: rate, serverErrorAfterAccept: rate }),
  /** Creates per second above which Twilio answers 20429 (token bucket, one second of burst). */
  ratePerSecond: z.number().positive().nullable(),
  /** Numbers that texted STOP: 21610. */
  unsubscribed: z.array(z.string()),
  /** Prefixes of numbers that are not mobiles (e.g. Beijing landlines +8610): 21614. */
  notMobilePrefixes: z.array(z.string()),
  /**
   * Delay before each status change, and how a message ends when it does not arrive. With
   * `enabled: false` messages stay as accepted and no callback is posted (the SMS benchmark: the
   * webhook is tested elsewhere, and posting would only spend the shared machine's CPU).
   */
  callbacks: z.object({ enabled: z.boolean(), delayMs: range, undeliveredRate: rate, failedRate: rate }),
  /** Real Twilio lists a new message only after a while; messages younger than this are not listed. */
  listLagMs: z.number().min(0),
  /** The number a Messaging Service picks as sender. */
  messagingServiceSender: z.string(),
});
export type DoubleConfig = z.infer<typeof doubleConfigSchema>;

export const DEFAULT_DOUBLE_CONFIG: DoubleConfig = {
  seed: 1,
  latencyMs: { min: 0, max: 0 },
  failureRates: { serverError: 0, tooManyRequests: 0, serverErrorAfterAccept: 0 },
  ratePerSecond: null,
  unsubscribed: [],
  notMobilePrefixes: ["+8610"],
  callbacks: { enabled: true, delayMs: { min: 5, max: 20 }, undeliveredRate: 0, failedRate: 0 },
  listLagMs: 0,
  messagingServiceSender: "+8610690012351",
};

const shape = doubleConfigSchema.shape;
export const doubleConfigPatchSchema = z
  .object({
    seed: shape.seed,
    latencyMs: shape.latencyMs,
    failureRates: shape.failureRates.partial(),
    ratePerSecond: shape.ratePerSecond,
    unsubscribed: shape.unsubscribed,
    notMobilePrefixes: shape.notMobilePrefixes,
    callbacks: shape.callbacks.partial(),
    listLagMs: shape.listLagMs,
    messagingServiceSender: shape.messagingServiceSender,
  })
  .partial()
  .strict();
export type DoubleConfigPatch = z.infer<typeof doubleConfigPatchSchema>;

export function mergeDoubleConfig(current: DoubleConfig, patch: DoubleConfigPatch): DoubleConfig {
  return doubleConfigSchema.parse({
    ...current,
    ...patch,
    failureRates: { ...current.failureRates, ...patch.failureRates },
    callbacks: { ...current.callbacks, ...patch.callbacks },
  });
}
