import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../scripts/uni-cloud-mock/src";

/** A throw-away copy of a space folder, so linking `file:` dependencies never writes into the repo. */
export function copySpace(source: string): { spaceDir: string; dataDir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), "vk-pay-space-"));
  const spaceDir = join(root, "uniCloud");
  cpSync(source, spaceDir, { recursive: true, filter: (path) => !path.includes("node_modules") });
  return { spaceDir, dataDir: join(root, "data"), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const FIXTURE_SPACE = join(__dirname, "../fixtures/space");

/** An emulator on a random port with an in-memory database; `close()` also removes its folders. */
export async function startFixtureEmulator(
  options: Partial<EmulatorOptions> & { prepare?: (dataDir: string) => void } = {},
): Promise<{ emulator: Emulator; url: string; dataDir: string; close(): Promise<void> }> {
  const space = copySpace(options.spaceDir ?? FIXTURE_SPACE);
  const dataDir = options.dataDir ?? space.dataDir;
  options.prepare?.(dataDir);
  const emulator = createEmulator({ databaseFile: ":memory:", port: 0, timers: false, log: () => undefined, ...options, spaceDir: space.spaceDir, dataDir });
  const url = await emulator.listen();
  return {
    emulator,
    url,
    dataDir,
    async close() {
      await emulator.close();
      space.cleanup();
    },
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}
