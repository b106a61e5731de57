// Twilio's webhooks: public (no API key), authenticated by X-Twilio-Signature over the configured
// public URL. The signature is checked before anything in the body is trusted or validated.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";
import { definePublicRoute, jsonResponse } from "../http/openapi.ts";
import { applyStatusCallback, handleInboundSms } from "../services/sms/webhooks.ts";
import {
  parseInboundMessage,
  parseStatusCallback,
  publicWebhookUrl,
  twimlMessage,
  verifyTwilioSignature,
  type WebhookParams,
} from "../sms/twilio-webhook.ts";

const formBody = (description: string) => ({
  required: true,
  description,
  content: { "application/x-www-form-urlencoded": { schema: z.record(z.string(), z.string()) } },
});

async function signedParams(c: Context<AppEnv>): Promise<WebhookParams> {
  const { config, log } = c.get("deps");
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { detail: "Twilio webhooks are application/x-www-form-urlencoded" });
  }
  const params: WebhookParams = {};
  for (const [key, value] of new URLSearchParams(await c.req.text())) {
    const existing = params[key];
    params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  if (!config.TWILIO_AUTH_TOKEN || !config.PUBLIC_BASE_URL) {
    log.warn("Twilio webhook refused: TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL are needed to verify signatures");
    throw new AppError("FORBIDDEN", { code: "TWILIO_SIGNATURE_INVALID", detail: "webhook signatures cannot be verified on this deployment" });
  }
  const ok = verifyTwilioSignature({
    authToken: config.TWILIO_AUTH_TOKEN,
    publicUrl: publicWebhookUrl(config.PUBLIC_BASE_URL, c.req.url),
    params,
    signature: c.req.header("x-twilio-signature"),
  });
  if (!ok) {
    throw new AppError("FORBIDDEN", {
      code: "TWILIO_SIGNATURE_INVALID",
      message: { zh: "Twilio 签名无效", en: "Invalid Twilio signature" },
    });
  }
  return params;
}

function systemContext(c: Context<AppEnv>) {
  const deps = c.get("deps");
  if (!deps.pii) throw new AppError("INTERNAL", { detail: "PII_ENCRYPTION_KEYS and PII_HMAC_KEY are not configured" });
  return { db: c.get("db"), log: c.get("log"), requestId: c.get("requestId"), pii: deps.pii, config: deps.config };
}

export function registerWebhookRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    definePublicRoute({
      method: "post",
      path: "/webhooks/twilio/status",
      operationId: "receiveTwilioStatus",
      tags: ["sms"],
      summary: "Twilio status callback (signed with X-Twilio-Signature)",
      request: {
        query: z.object({ ref: z.string().max(64).optional() }),
        body: formBody("Twilio's status callback parameters (MessageSid, MessageStatus, ErrorCode, …)"),
      },
      responses: { 200: jsonResponse(z.object({ outcome: z.enum(["duplicate", "unknown", "stale", "applied"]), status: z.string().optional() }), "Recorded") },
    }),
    async (c) => {
      const params = await signedParams(c);
      const callback = parseStatusCallback(params);
      const reference = c.req.valid("query").ref ?? null;
      const result = await applyStatusCallback(systemContext(c), { messageSid: callback.messageSid, status: callback.status, errorCode: callback.errorCode, reference });
      return c.json(result, 200);
    },
  );

  app.openapi(
    definePublicRoute({
      method: "post",
      path: "/webhooks/twilio/inbound",
      operationId: "receiveTwilioInbound",
      tags: ["sms"],
      summary: "A worker's SMS reply (signed with X-Twilio-Signature); answers TwiML",
      request: { body: formBody("Twilio's inbound message parameters (MessageSid, From, To, Body, …)") },
      responses: { 200: { description: "TwiML reply", content: { "text/xml": { schema: z.string() } } } },
    }),
    async (c) => {
      const params = await signedParams(c);
      const inbound = parseInboundMessage(params);
      const result = await handleInboundSms(systemContext(c), { messageSid: inbound.messageSid, from: inbound.from, body: inbound.body });
      return c.body(twimlMessage(result.reply), 200, { "Content-Type": "text/xml; charset=utf-8" });
    },
  );
}
