import { describe, expect, it } from "vitest";
import { ConsoleProvider, createInMemoryConsoleStore } from "../../../src/sms/console-provider.ts";
import { SmsPermanentError } from "../../../src/sms/provider.ts";

describe("ConsoleProvider", () => {
  const at = new Date("2027-01-24T12:00:00Z");

  it("stores what would be sent, delivered at once, with its segments", async () => {
    const store = createInMemoryConsoleStore();
    const provider = new ConsoleProvider(store, { from: "12351", now: () => at });
    const result = await provider.send({ to: "+8613812345678", body: "中".repeat(71), reference: "notif-1" });
    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^CO[0-9a-f]{32}$/), status: "delivered", segments: 2 });
    expect(store.all()).toEqual([
      expect.objectContaining({ to: "+8613812345678", from: "12351", reference: "notif-1", createdAt: at, sentAt: at }),
    ]);
    expect(await provider.fetch(result.providerMessageId)).toMatchObject({ body: "中".repeat(71), segments: 2 });
    expect(await provider.fetch("CO-unknown")).toBeNull();
  });

  it("finds a message by our reference alone, so a lookup is conclusive at once", async () => {
    const provider = new ConsoleProvider(createInMemoryConsoleStore());
    const { providerMessageId } = await provider.send({ to: "+8613812345678", body: "a", reference: "notif-2" });
    const window = { sentAfter: at, sentBefore: at, body: "whatever" };
    expect(provider.lookupSettleMs).toBe(0);
    expect(await provider.findByReference({ to: "+8613812345678", reference: "notif-2", ...window })).toMatchObject({ providerMessageId });
    expect(await provider.findByReference({ to: "+8613812345678", reference: "notif-3", ...window })).toBeNull();
    expect(await provider.findByReference({ to: "+8613900000000", reference: "notif-2", ...window })).toBeNull();
  });

  it("refuses a number that is not E.164 for good", async () => {
    const store = createInMemoryConsoleStore();
    const error = await new ConsoleProvider(store).send({ to: "13812345678", body: "a", reference: "n" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsPermanentError);
    expect((error as SmsPermanentError).providerCode).toBe("INVALID_NUMBER");
    expect(store.all()).toHaveLength(0);
  });
});
