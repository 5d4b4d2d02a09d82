import { join } from "node:path";

/**
 * What every sandbox's `create…Sandbox` takes and derives the same way: where it is mounted, where its
 * state file lives, how it logs and how long its notifier waits between attempts. A sandbox adds its own
 * options to these.
 */
export interface SandboxBaseOptions<Transport> {
  /** `UNICLOUD_DATA_DIR`: keys and `sandbox/<name>/state.json` live under it. */
  dataDir: string;
  /** Wall clock in ms (default Date.now). */
  now?: () => number;
  /** Sends notifications (default: fetch). */
  request?: Transport;
  /** Where the handler is mounted (default `/__sandbox/<name>`). */
  prefix?: string;
  /** Waits between notification attempts (default 1 s, 5 s, 15 s; the real platforms wait minutes). */
  notifyRetryDelaysMs?: number[];
  /** Keep state in memory only (tests that want a clean slate per sandbox). */
  persist?: boolean;
  log?: (line: string) => void;
}

export interface SandboxSettings {
  prefix: string;
  now: () => number;
  log: (line: string) => void;
  /** The state file, or undefined when state stays in memory. */
  stateFile: string | undefined;
  retryDelaysMs: number[];
}

export function sandboxSettings(name: string, options: SandboxBaseOptions<unknown>): SandboxSettings {
  return {
    prefix: (options.prefix ?? `/__sandbox/${name}`).replace(/\/+$/, ""),
    now: options.now ?? Date.now,
    log: options.log ?? ((line: string) => console.log(line)),
    stateFile: options.persist === false ? undefined : join(options.dataDir, "sandbox", name, "state.json"),
    retryDelaysMs: options.notifyRetryDelaysMs ?? [1000, 5000, 15000],
  };
}

/** The request's path below the sandbox's prefix (`/` for the prefix itself), or undefined when it is not the sandbox's. */
export function pathBelow(prefix: string, url: URL): string | undefined {
  if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
  return url.pathname.slice(prefix.length) || "/";
}
