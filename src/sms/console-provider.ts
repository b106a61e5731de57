import { countSegments } from "./segments.ts";
import {
  SmsPermanentError,
  type FindByReferenceInput,
  type ProviderMessage,
  type SendSmsInput,
  type SendSmsResult,
  type SmsProvider,
} from "./provider.ts";

// The default provider when no Twilio credentials are configured: nothing leaves the machine,
// each message is stored where the /dev/sms page can show it as the worker's phone would. The
// storage is an interface: the product keeps messages in PostgreSQL, tests in memory.

export interface ConsoleMessage extends ProviderMessage {
  reference: string;
}

export interface ConsoleMessageStore {
  insert(message: ConsoleMessage): Promise<void>;
  /** Unlike Twilio, the console keeps our reference, so the lookup is exact. */
  findByReference(input: { to: string; reference: string }): Promise<ConsoleMessage | null>;
  get(providerMessageId: string): Promise<ConsoleMessage | null>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

export class ConsoleProvider implements SmsProvider {
  readonly name = "console";
  // Stored in the same database the pipeline reads: a lookup is conclusive at once.
  readonly lookupSettleMs = 0;

  constructor(
    private readonly store: ConsoleMessageStore,
    private readonly options: { from?: string; now?: () => Date } = {},
  ) {}

  async send(input: SendSmsInput): Promise<SendSmsResult> {
    if (!E164.test(input.to)) {
      throw new SmsPermanentError("INVALID_NUMBER", {
        zh: `收信号码 ${input.to} 不是有效的 E.164 号码`,
        en: `'To' number ${input.to} is not a valid E.164 number`,
      });
    }
    const now = this.options.now?.() ?? new Date();
    const message: ConsoleMessage = {
      providerMessageId: `CO${crypto.randomUUID().replaceAll("-", "")}`,
      to: input.to,
      from: this.options.from ?? null,
      body: input.body,
      // Shown at once in the /dev/sms inbox, as if the phone had received it.
      status: "delivered",
      segments: countSegments(input.body).segments,
      errorCode: null,
      createdAt: now,
      sentAt: now,
      reference: input.reference,
    };
    await this.store.insert(message);
    return { providerMessageId: message.providerMessageId, status: message.status, segments: message.segments };
  }

  async findByReference(input: FindByReferenceInput): Promise<ProviderMessage | null> {
    return this.store.findByReference({ to: input.to, reference: input.reference });
  }

  async fetch(providerMessageId: string): Promise<ProviderMessage | null> {
    return this.store.get(providerMessageId);
  }
}

export function createInMemoryConsoleStore(): ConsoleMessageStore & { all(): ConsoleMessage[] } {
  const messages: ConsoleMessage[] = [];
  return {
    async insert(message) {
      messages.push(message);
    },
    async findByReference({ to, reference }) {
      return messages.find((m) => m.to === to && m.reference === reference) ?? null;
    },
    async get(providerMessageId) {
      return messages.find((m) => m.providerMessageId === providerMessageId) ?? null;
    },
    all: () => [...messages],
  };
}
