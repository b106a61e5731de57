import twilio from "twilio";
import type { SmsError } from "./errors.ts";
import {
  SmsConfigurationError,
  SmsPermanentError,
  SmsRateLimitedError,
  SmsTransientError,
} from "./provider.ts";

// Twilio REST error codes (https://www.twilio.com/docs/api/errors) that mean "this message to this
// recipient will never be accepted".
const RECIPIENT_ERRORS: Record<number, { zh: string; en: string }> = {
  21211: { zh: "收信号码无效", en: "Invalid 'To' phone number" },
  21408: { zh: "未开通向该地区发送短信的权限", en: "Permission to send an SMS to this region has not been enabled" },
  21602: { zh: "短信内容为空", en: "Message body is required" },
  21604: { zh: "缺少收信号码", en: "A 'To' phone number is required" },
  21610: { zh: "该号码已退订短信", en: "Attempt to send to an unsubscribed recipient" },
  21612: { zh: "无法通过当前线路送达该号码", en: "The 'To' number cannot be reached from this sender" },
  21614: { zh: "该号码不是手机号码", en: "'To' number is not a valid mobile number" },
  21617: { zh: "短信内容超过长度上限", en: "The concatenated message body exceeds the 1600 character limit" },
  21635: { zh: "该号码不能接收短信", en: "'To' number cannot receive SMS" },
};

// Codes that say our credentials, account or sender are wrong, whatever the recipient.
const CONFIGURATION_ERRORS = new Set([
  20003, 20005, 20404, 21212, 21603, 21606, 21659, 21701, 21702, 21703, 21704, 21705,
]);

// Failures where the request certainly never reached Twilio, so nothing can have been sent.
const NOT_SENT_NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
const NETWORK_CODES = new Set([
  ...NOT_SENT_NETWORK_CODES,
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

function networkCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 4; depth += 1) {
    const candidate = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && NETWORK_CODES.has(candidate.code)) return candidate.code;
    if (candidate.name === "TimeoutError" || candidate.name === "AbortError") return "ETIMEDOUT";
    current = candidate.cause;
  }
  return null;
}

/**
 * Translates what the twilio SDK (or its HTTP client) threw into our typed SMS errors. Anything
 * that is neither a Twilio answer nor a network failure is a bug and is rethrown untouched.
 */
export function toSmsError(error: unknown, options: { rateLimitRetryAfterMs: number }): SmsError {
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const code = error.code ?? status;
    if (status === 429 || code === 20429) return new SmsRateLimitedError(options.rateLimitRetryAfterMs);
    if (status >= 500) {
      return new SmsTransientError(
        { zh: `短信服务商暂时故障（HTTP ${status}）`, en: `Twilio server error (HTTP ${status})` },
        { mayHaveBeenSent: true, providerCode: code },
      );
    }
    if (status === 401 || status === 403 || CONFIGURATION_ERRORS.has(code)) {
      return new SmsConfigurationError(code, {
        zh: `短信服务配置错误（Twilio ${code}）：${error.message}`,
        en: `SMS provider configuration error (Twilio ${code}): ${error.message}`,
      });
    }
    const known = RECIPIENT_ERRORS[code];
    return new SmsPermanentError(code, {
      zh: known?.zh ?? `短信服务商拒绝发送（Twilio ${code}）`,
      en: known?.en ?? `Twilio refused the message (${code}): ${error.message}`,
    });
  }
  const network = networkCode(error);
  if (network !== null) {
    return new SmsTransientError(
      { zh: `连接短信服务商失败（${network}）`, en: `Could not reach Twilio (${network})` },
      { mayHaveBeenSent: !NOT_SENT_NETWORK_CODES.has(network), providerCode: null },
    );
  }
  throw error;
}
