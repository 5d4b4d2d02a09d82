import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * Debian's chromium, driven by playwright-core (which downloads no browser of its own). CI installs it in
 * .ci/run; a missing browser fails the browser tests loudly unless VK_PAY_SKIP_BROWSER=1 says to skip them.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const SKIP_BROWSER = process.env.VK_PAY_SKIP_BROWSER === "1";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium), set CHROMIUM_PATH, or set VK_PAY_SKIP_BROWSER=1 to skip the browser tests`,
    );
  }
  // --no-sandbox: CI runs as root, where Chromium's own sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
}

/** `describe`, or `describe.skip` when the browser tests were explicitly switched off. */
export const describeInBrowser: jest.Describe = SKIP_BROWSER ? describe.skip : describe;
