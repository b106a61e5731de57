// An HTTP client for the twilio SDK (its `httpClient` option) that sends every request to another
// base URL, e.g. the Twilio API double in tests and benchmarks. The SDK has no setting for its API
// host. Built on fetch only, so it also runs on Cloudflare Workers.

/** The subset of the SDK's RequestClient options that the SDK actually passes. */
export interface TwilioHttpRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  authStrategy?: { getAuthString(): Promise<string> };
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  data?: Record<string, unknown>;
  timeout?: number;
}

export interface TwilioHttpResponse {
  statusCode: number;
  /** Left as text: the SDK parses JSON bodies itself and copes with non-JSON error pages. */
  body: string;
  headers: Record<string, string>;
}

export interface TwilioHttpClient {
  request(opts: TwilioHttpRequest): Promise<TwilioHttpResponse>;
}

export function formEncode(values: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    // Repeated keys, as the SDK's own client sends arrays (qs arrayFormat "repeat").
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item));
  }
  return form;
}

export function basicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

export function createLocalHttpClient(
  baseUrl: string,
  options: { timeoutMs?: number } = {},
): TwilioHttpClient {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;

  return {
    async request(opts) {
      const target = new URL(opts.uri);
      const url = new URL(base.origin + basePath + target.pathname + target.search);
      if (opts.params) {
        for (const [key, value] of formEncode(opts.params)) url.searchParams.append(key, value);
      }

      const headers = new Headers(opts.headers ?? {});
      // Hop-by-hop header that fetch refuses to set.
      headers.delete("Connection");
      if (opts.username && opts.password) headers.set("Authorization", basicAuth(opts.username, opts.password));
      else if (opts.authStrategy) headers.set("Authorization", await opts.authStrategy.getAuthString());

      const hasBody = opts.data !== undefined && !["get", "head"].includes(opts.method.toLowerCase());
      const response = await fetch(url, {
        method: opts.method.toUpperCase(),
        headers,
        body: hasBody ? formEncode(opts.data ?? {}).toString() : undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(opts.timeout ?? defaultTimeoutMs),
      });
      return {
        statusCode: response.status,
        body: await response.text(),
        headers: Object.fromEntries(response.headers),
      };
    },
  };
}
