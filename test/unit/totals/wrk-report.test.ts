// bench:totals reads wrk's text report; its figures are the benchmark's JSON line.
import { describe, expect, it } from "vitest";
import { parseWrk } from "../../../bench/totals.ts";

// As wrk 4.1 prints it with --latency (a run of 11 s, the first second held by the delay hook).
const report = `Running 11s test @ http://127.0.0.1:40297/v1/totals?campaignId=x
  1 threads and 200 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.89ms  158.11ms   1.99s    96.39%
    Req/Sec     5.13k   580.38     6.53k    69.00%
  Latency Distribution
     50%  835.00us
     75%   42.02ms
     90%   50.08ms
     99%    1.00s 
  51359 requests in 11.07s, 491.85MB read
  Socket errors: connect 0, read 2, write 0, timeout 50
  Non-2xx or 3xx responses: 7
Requests/sec:   4639.48
Transfer/sec:     44.43MB
`;

describe("parseWrk", () => {
  it("reads the percentiles in their units, the errors, and requests/s after the held time", () => {
    const result = parseWrk(report, 1000);
    expect(result).toMatchObject({ p50Ms: 0.84, p99Ms: 1000, requests: 51359, failed: 7 + 2 + 50 });
    // 51359 / 4639.48 = 11.07 s of run time, less the 1 s held: 10.07 s.
    expect(result.rps).toBe(Math.round(51359 / (51359 / 4639.48 - 1)));
  });

  it("counts no errors when wrk prints none", () => {
    const clean = report.replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/, "");
    expect(parseWrk(clean).failed).toBe(0);
    expect(parseWrk(clean).rps).toBe(4639);
  });

  it("refuses a report it cannot read", () => {
    expect(() => parseWrk("unable to connect to 127.0.0.1:1 Connection refused")).toThrow(/wrk/);
  });
});
