import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { ROOT } from "../build/paths";

/** A port nobody listens on now (the OS picks it; it is free again once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `script` (an emulator process that prints its URL on a line of its own) with `node --import tsx`
 * rather than the tsx CLI: one process, so killing it leaves no orphan. `onSpawn` sees the child before
 * the URL arrives, so a caller can register it for cleanup even if the start fails.
 */
export function startEmulatorChild(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // The environment is passed explicitly: a jest test's process.env is its own copy, which spawn never sees.
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env: { ...process.env, ...options.env } });
    options.onSpawn?.(child);
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
