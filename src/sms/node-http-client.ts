// The Node version of local-http-client: the same redirect of the twilio SDK's requests to another
// base URL (the Twilio API double in the SMS benchmark and the worker pointed at it), over
// node:http with one keep-alive agent per client. A profile of the SMS worker at 500 sends/s spent
// more CPU in fetch's machinery (web streams, Headers, an AbortSignal timer per request) than in
// the SDK itself; plain node:http requests on kept-alive sockets cost a fraction of that.
import http from "node:http";
import https from "node:https";
import { basicAuth, formEncode, type TwilioHttpClient } from "./local-http-client.ts";

export function createNodeHttpClient(baseUrl: string, options: { timeoutMs?: number; maxSockets?: number } = {}): TwilioHttpClient {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;
  const transport = base.protocol === "https:" ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });

  return {
    async request(opts) {
      const target = new URL(opts.uri);
      const url = new URL(base.origin + basePath + target.pathname + target.search);
      if (opts.params) {
        for (const [key, value] of formEncode(opts.params)) url.searchParams.append(key, value);
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(opts.headers ?? {})) {
        // The agent manages the connection (keep-alive) itself.
        if (key.toLowerCase() !== "connection") headers[key] = value;
      }
      if (opts.username && opts.password) headers.Authorization = basicAuth(opts.username, opts.password);
      else if (opts.authStrategy) headers.Authorization = await opts.authStrategy.getAuthString();

      const hasBody = opts.data !== undefined && !["get", "head"].includes(opts.method.toLowerCase());
      const body = hasBody ? Buffer.from(formEncode(opts.data ?? {}).toString()) : undefined;
      if (body) {
        headers["Content-Type"] ??= "application/x-www-form-urlencoded";
        headers["Content-Length"] = String(body.length);
      }

      return new Promise((resolve, reject) => {
        const req = transport.request(url, { method: opts.method.toUpperCase(), headers, agent, timeout: opts.timeout ?? defaultTimeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const responseHeaders: Record<string, string> = {};
            for (const [key, value] of Object.entries(res.headers)) {
              if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(", ") : value;
            }
            resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: responseHeaders });
          });
        });
        // An unanswered request is abandoned after the timeout (socket idle for that long), like
        // fetch's AbortSignal.timeout: ETIMEDOUT maps to a transient "may have been sent".
        req.on("timeout", () => req.destroy(Object.assign(new Error(`request timed out after ${opts.timeout ?? defaultTimeoutMs} ms`), { code: "ETIMEDOUT" })));
        req.on("error", reject);
        req.end(body);
      });
    },
  };
}
