import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort, startEmulatorChild } from "../../scripts/local/emulator-child";

export { freePort };

/** Emulator processes started by a test; each is registered before it is awaited, so none outlives the test. */
export const children: ChildProcess[] = [];

export function killChildren(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** An emulator process of test/e2e/workers/emulator-process.ts, registered for killChildren. */
export function startEmulatorProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  return startEmulatorChild(join(__dirname, "../e2e/workers/emulator-process.ts"), args, { env, onSpawn: (child) => children.push(child) });
}
