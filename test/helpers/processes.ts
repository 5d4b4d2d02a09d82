import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "../../scripts/build/paths";

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Emulator processes started by a test; each is registered before it is awaited, so none outlives the test. */
export const children: ChildProcess[] = [];

export function killChildren(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** `node --import tsx` rather than the tsx CLI: one process, so killing it leaves no orphan behind. */
export function startEmulatorProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // The environment is passed explicitly: a jest test's process.env is its own copy, which spawn never sees.
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "../e2e/workers/emulator-process.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk) => (err += chunk));
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("http://"));
      if (line) resolve({ child, url: line.trim() });
    });
    child.once("exit", (code, signal) => reject(new Error(`emulator process exited ${code ?? signal}: ${err}`)));
  });
}
