import { API_VERSION, messageJson, twilioError, wholeSeconds, type DoubleMessage, type TwilioErrorReply } from "./twilio-format.ts";

// GET .../Messages.json: Twilio's filters (To, From, DateSent, DateSent<, DateSent>) and its
// paging (PageSize, Page, PageToken, next_page_uri), as the SDK's list/each/page consume them.

type DateBound = { kind: "day"; start: number; end: number } | { kind: "instant"; at: number };

interface ListQuery {
  to: string | null;
  from: string | null;
  dateSent: DateBound | null;
  dateSentOnOrBefore: DateBound | null;
  dateSentOnOrAfter: DateBound | null;
  pageSize: number;
  page: number;
  pageToken: string | null;
}

const FILTER_KEYS = ["To", "From", "DateSent", "DateSent<", "DateSent>"] as const;

function parseDate(value: string): DateBound | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(start) ? null : { kind: "day", start, end: start + 86_400_000 };
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : { kind: "instant", at: wholeSeconds(at) };
}

export function parseListQuery(search: URLSearchParams): ListQuery | TwilioErrorReply {
  const dates: Record<string, DateBound | null> = {};
  for (const key of ["DateSent", "DateSent<", "DateSent>"]) {
    const raw = search.get(key);
    if (raw === null) {
      dates[key] = null;
      continue;
    }
    const parsed = parseDate(raw);
    if (parsed === null) return twilioError(400, 20001, `Invalid value for ${key}: ${raw}`);
    dates[key] = parsed;
  }
  const pageSize = Number(search.get("PageSize") ?? 50);
  const page = Number(search.get("Page") ?? 0);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    return twilioError(400, 20001, "PageSize must be an integer between 1 and 1000");
  }
  if (!Number.isInteger(page) || page < 0) return twilioError(400, 20001, "Page must be a non-negative integer");
  return {
    to: search.get("To"),
    from: search.get("From"),
    dateSent: dates["DateSent"] ?? null,
    dateSentOnOrBefore: dates["DateSent<"] ?? null,
    dateSentOnOrAfter: dates["DateSent>"] ?? null,
    pageSize,
    page,
    pageToken: search.get("PageToken"),
  };
}

function matches(message: DoubleMessage, query: ListQuery): boolean {
  if (query.to !== null && message.to !== query.to) return false;
  if (query.from !== null && message.from !== query.from) return false;
  const hasDateFilter = query.dateSent || query.dateSentOnOrBefore || query.dateSentOnOrAfter;
  if (!hasDateFilter) return true;
  // A message still queued has no date_sent, so no DateSent filter selects it.
  const sent = message.dateSent;
  if (sent === null) return false;
  const { dateSent: on, dateSentOnOrBefore: before, dateSentOnOrAfter: after } = query;
  if (on && !(on.kind === "day" ? sent >= on.start && sent < on.end : sent === on.at)) return false;
  if (before && !(before.kind === "day" ? sent < before.end : sent <= before.at)) return false;
  if (after && !(after.kind === "day" ? sent >= after.start : sent >= after.at)) return false;
  return true;
}

function pageUri(accountSid: string, search: URLSearchParams, page: number, pageSize: number, token: string | null): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = search.get(key);
    if (value !== null) params.set(key, value);
  }
  params.set("PageSize", String(pageSize));
  params.set("Page", String(page));
  if (token !== null) params.set("PageToken", token);
  return `/${API_VERSION}/Accounts/${accountSid}/Messages.json?${params}`;
}

export function listMessages(input: {
  messages: readonly DoubleMessage[];
  accountSid: string;
  search: URLSearchParams;
  query: ListQuery;
  visibleBeforeMs: number;
}): Record<string, unknown> {
  const { query, search, accountSid } = input;
  const selected = input.messages
    .filter((m) => m.arrivedAtMs <= input.visibleBeforeMs && matches(m, query))
    // Newest first, as Twilio lists them.
    .sort((a, b) => b.dateCreated - a.dateCreated || b.seq - a.seq);

  // The token names the last message of the previous page, so paging stays stable while new
  // messages arrive at the head of the list.
  let start = query.page * query.pageSize;
  if (query.pageToken?.startsWith("PA")) {
    const lastSid = query.pageToken.slice(2);
    const last = selected.findIndex((m) => m.sid === lastSid);
    if (last >= 0) start = last + 1;
  }
  const items = selected.slice(start, start + query.pageSize);
  const hasMore = start + items.length < selected.length;
  const lastSid = items.at(-1)?.sid ?? null;

  return {
    first_page_uri: pageUri(accountSid, search, 0, query.pageSize, null),
    end: start + Math.max(items.length - 1, 0),
    previous_page_uri: query.page > 0 ? pageUri(accountSid, search, query.page - 1, query.pageSize, null) : null,
    messages: items.map(messageJson),
    uri: pageUri(accountSid, search, query.page, query.pageSize, query.pageToken),
    page_size: query.pageSize,
    start,
    next_page_uri:
      hasMore && lastSid !== null ? pageUri(accountSid, search, query.page + 1, query.pageSize, `PA${lastSid}`) : null,
    page: query.page,
  };
}
