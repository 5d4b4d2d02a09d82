import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningSandbox } from "../../../scripts/sandbox/registry";
import { createEmulator, type Emulator } from "../../../scripts/uni-cloud-mock/src";

export interface Mounted<S> {
  emulator: Emulator;
  sandbox: S;
  /** `http://127.0.0.1:<port>/__sandbox/<name>` */
  base: string;
  dataDir: string;
  control(action: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Closes the sandbox, then `others` (receivers), then the emulator, and removes what it made. */
  close(...others: Array<{ close(): Promise<void> }>): Promise<void>;
}

/** A sandbox mounted in a real emulator on a random port, as `npm start` mounts it. */
export async function mountSandbox<S extends Pick<RunningSandbox, "handler" | "close">>(
  name: string,
  dataDirOption: string | undefined,
  create: (dataDir: string) => Promise<S>,
): Promise<Mounted<S>> {
  const root = mkdtempSync(join(tmpdir(), `vk-pay-${name}-sandbox-`));
  const spaceDir = join(root, "uniCloud");
  mkdirSync(spaceDir);
  const dataDir = dataDirOption ?? join(root, "data");
  const sandbox = await create(dataDir);
  const emulator = createEmulator({ spaceDir, dataDir, databaseFile: ":memory:", port: 0, timers: false, log: () => undefined });
  emulator.mount(`/__sandbox/${name}`, sandbox.handler);
  const base = `${await emulator.listen()}/__sandbox/${name}`;
  return {
    emulator,
    sandbox,
    base,
    dataDir,
    async control(action, body = {}) {
      const response = await fetch(`${base}/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    },
    async close(...others) {
      await sandbox.close();
      for (const other of others) await other.close();
      await emulator.close();
      if (!dataDirOption) rmSync(root, { recursive: true, force: true });
      else rmSync(spaceDir, { recursive: true, force: true });
    },
  };
}
