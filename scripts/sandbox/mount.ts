import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { sendJson } from "./http";

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

/** What a sandbox's own parts are, for mountSandbox to route to and shut down in the same order everywhere. */
export interface SandboxParts {
  /** For the 404 answer: "the Huawei sandbox". */
  title: string;
  prefix: string;
  /** Its platform paths (server API, gateway, cashier page): true when it answered the request. */
  serve(path: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** A control action of SPEC §9 (`pay`, `redeliver`, …): true when it answered. */
  control(action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  notifier: { idle(): Promise<void>; close(): void };
  state: { save(): void };
  /** Stops what the sandbox runs besides its notifier (a second server, timers), before the notifier drains. */
  beforeClose?(): Promise<void>;
}

export interface MountedSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** Resolves when no notification is being delivered. */
  idle(): Promise<void>;
  /** Stops delivering, waits for the delivery in flight, then saves the state. */
  close(): Promise<void>;
}

export function mountSandbox(parts: SandboxParts): MountedSandbox {
  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = pathBelow(parts.prefix, url);
    if (path === undefined) return false;
    if (await parts.serve(path, req, res, url)) return true;
    if (/^\/[a-z-]+$/.test(path) && (await parts.control(path.slice(1), req, res))) return true;
    sendJson(res, 404, { ok: false, error: `${parts.title} does not serve ${path}` });
    return true;
  }
  return {
    handler,
    idle: () => parts.notifier.idle(),
    async close() {
      await parts.beforeClose?.();
      parts.notifier.close();
      await parts.notifier.idle();
      parts.state.save();
    },
  };
}
