import { setMaxListeners } from "node:events";
import type { ProviderMessageStatus } from "../../src/sms/provider.ts";
import type { DoubleConfig } from "./config.ts";
import type { WebhookPoster } from "./signed-webhook.ts";
import { API_VERSION, wholeSeconds, type DoubleMessage } from "./twilio-format.ts";

// Moves accepted messages through Twilio's statuses (accepted → queued → sent → delivered, or
// failed / undelivered by the configured rates) and posts a signed status callback for each.

interface Step {
  status: ProviderMessageStatus;
  errorCode?: number;
  errorMessage?: string;
}

export interface CallbackStats {
  posted: number;
  failed: number;
}

export class DeliverySimulator {
  readonly stats: CallbackStats = { posted: 0, failed: 0 };
  private closed = false;
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private readonly runs = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: { poster: WebhookPoster; config: () => DoubleConfig; random: () => number },
  ) {
    // One listener per callback in flight, thousands at benchmark rates.
    setMaxListeners(0, this.abort.signal);
  }

  start(message: DoubleMessage): void {
    const steps = this.plan(message);
    const run = this.run(message, steps).finally(() => this.runs.delete(run));
    this.runs.add(run);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.abort.abort();
    await Promise.allSettled([...this.runs]);
  }

  // Outcomes are drawn at acceptance, so they follow the request order for a given seed.
  private plan(message: DoubleMessage): Step[] {
    const { failedRate, undeliveredRate } = this.deps.config().callbacks;
    const steps: Step[] = message.status === "accepted" ? [{ status: "queued" }] : [];
    if (this.deps.random() < failedRate) {
      steps.push({ status: "failed", errorCode: 30008, errorMessage: "Unknown error" });
      return steps;
    }
    steps.push({ status: "sent" });
    steps.push(
      this.deps.random() < undeliveredRate
        ? { status: "undelivered", errorCode: 30003, errorMessage: "Unreachable destination handset" }
        : { status: "delivered" },
    );
    return steps;
  }

  private async run(message: DoubleMessage, steps: Step[]): Promise<void> {
    await this.notify(message);
    for (const step of steps) {
      await this.sleep(this.delay());
      if (this.closed) return;
      const now = Date.now();
      message.status = step.status;
      message.dateUpdated = wholeSeconds(now);
      if (step.status === "queued" && message.from === null) message.from = this.deps.config().messagingServiceSender;
      if (step.status === "sent") message.dateSent = wholeSeconds(now);
      if (step.errorCode !== undefined) {
        message.errorCode = step.errorCode;
        message.errorMessage = step.errorMessage ?? null;
      }
      await this.notify(message);
    }
  }

  private async notify(message: DoubleMessage): Promise<void> {
    if (message.statusCallback === null || this.closed) return;
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: API_VERSION,
      From: message.from ?? "",
      MessageSid: message.sid,
      MessageStatus: message.status,
      SmsSid: message.sid,
      SmsStatus: message.status,
      To: message.to,
    };
    if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
    if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
    try {
      const answer = await this.deps.poster.post(message.statusCallback, params, this.abort.signal);
      if (answer.status >= 200 && answer.status < 300) this.stats.posted += 1;
      else this.stats.failed += 1;
    } catch {
      // Like Twilio, no retry once the receiver answered or stayed unreachable: only counted.
      if (!this.closed) this.stats.failed += 1;
    }
  }

  private delay(): number {
    const { min, max } = this.deps.config().callbacks.delayMs;
    return min + (max - min) * this.deps.random();
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}
