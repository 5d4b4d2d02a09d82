import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * Debian's chromium, driven by playwright-core (which downloads no browser of its own). `.ci/run` installs
 * it with apt-get when missing. Under CI=true the browser tests always run, and a missing browser fails
 * them loudly; elsewhere they are skipped, with a notice, when there is no Chromium or VK_PAY_SKIP_BROWSER=1.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const IN_CI = process.env.CI === "true";

function skipReason(): string | undefined {
  if (IN_CI) return undefined;
  if (process.env.VK_PAY_SKIP_BROWSER === "1") return "VK_PAY_SKIP_BROWSER=1";
  if (!existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  return undefined;
}

export const SKIP_BROWSER_REASON = skipReason();
export const SKIP_BROWSER = SKIP_BROWSER_REASON !== undefined;

/**
 * The flags: this machine has no network, so nothing may reach out (QUIC, component updates, sync,
 * background fetches); --no-sandbox because CI runs as root, where Chromium's own sandbox refuses to start.
 * The fresh --user-data-dir is Playwright's: `launch` gives every browser a new temporary profile and
 * removes it on close (it refuses the flag in `args` for that reason).
 */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; CI=true never skips the browser tests`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** `describe`, or `describe.skip` with a notice saying why the browser tests did not run. */
export const describeInBrowser: jest.Describe = SKIP_BROWSER ? skipWithNotice() : describe;

function skipWithNotice(): jest.Describe {
  console.warn(`browser tests skipped: ${SKIP_BROWSER_REASON}. Set CI=true to make a missing Chromium fail them.`);
  return describe.skip;
}
