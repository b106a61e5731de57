// Headless Chromium for page tests (playwright-core drives the system's /usr/bin/chromium), and
// the app served over real HTTP on a free port. On a fresh machine where Chromium is missing and
// we run as root, it is installed with apt-get (retrying while another dpkg holds the lock).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { chromium, type Browser } from "playwright-core";
import { freePort } from "../setup/global-setup.ts";
import type { TestApp } from "./app.ts";

const CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
];

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** apt-get install, retrying while another dpkg holds the lock (root only). */
function aptInstall(pkg: string) {
  if (process.getuid?.() !== 0) throw new Error(`${pkg} is missing: run  sudo apt-get install -y ${pkg}`);
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync("apt-get", ["install", "-y", pkg], { stdio: "pipe", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      return;
    } catch (error) {
      const output = String((error as { stderr?: Buffer }).stderr ?? "");
      if (/Unable to locate package|no installation candidate/i.test(output) && attempt === 1) {
        execFileSync("apt-get", ["update"], { stdio: "pipe" });
        continue;
      }
      if (!/lock|dpkg frontend|Resource temporarily unavailable/i.test(output) || attempt >= 60) throw error;
      sleep(5_000);
    }
  }
}

function hasChineseFont(): boolean {
  try {
    return execFileSync("fc-list", [":lang=zh"], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
}

/** Chromium, and a Chinese font so that screenshots show the pages' text rather than boxes. */
export function ensureChromium(): string {
  if (!existsSync(CHROMIUM)) aptInstall("chromium");
  if (!existsSync(CHROMIUM)) throw new Error("apt-get installed chromium but /usr/bin/chromium is missing");
  if (!hasChineseFont()) aptInstall("fonts-wqy-microhei");
  return CHROMIUM;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS, headless: true });
}

export interface ServedApp {
  baseUrl: string;
  close(): Promise<void>;
}

export async function serveApp(app: TestApp): Promise<ServedApp> {
  const port = await freePort();
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
