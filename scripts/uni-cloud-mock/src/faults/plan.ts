import { appendFileSync } from "node:fs";
import { seededRandom, type Random } from "./random";

/**
 * The emulator's fault mode (issue 20 item 3): what real uniCloud does that a single SQLite writer and a
 * loopback network never do. Off unless the environment asks:
 *
 * - `UNICLOUD_WRITE_CONFLICTS=0.2`: that share of transaction commits fails with MongoDB's WriteConflict,
 *   nothing of the transaction kept, as uniCloud's MongoDB aborts one of two transactions on a document.
 * - `UNICLOUD_WRITE_CONFLICTS=overlap` (or `overlap,0.2` with a share besides): a transaction fails with
 *   WriteConflict when it writes a document that another writer committed after it started, as MongoDB's
 *   snapshot isolation does (database/write-log.ts); the emulator otherwise lets it wait and see the write.
 * - `UNICLOUD_HTTP_FAULTS=timeout=0.05,reset=0.05,5xx=0.05,lost=0.05`: `uniCloud.httpclient` requests fail
 *   that often: `reset` before the request leaves (the platform saw nothing); `timeout`, `lost` (the
 *   connection reset mid-answer) and `5xx` after the platform has acted on it.
 * - `UNICLOUD_FAULT_SEED`: the seed of the draws (one stream per process and kind), so a run replays.
 * - `UNICLOUD_FAULT_LOG`: a file that gets one line per fault injected, so a harness can show they happened.
 */
export type HttpFault = "timeout" | "reset" | "5xx" | "lost";

export interface FaultPlan {
  /** Whether this commit fails with WriteConflict. */
  writeConflict(): boolean;
  /** Whether transactions that overlap on a document conflict (read once per process, so a hot path may test it). */
  readonly overlapConflicts: boolean;
  /** Counts a WriteConflict the overlap rule raised (for UNICLOUD_FAULT_LOG). */
  overlapConflict(): void;
  /** The fault this request meets, if any. */
  httpFault(): HttpFault | undefined;
}

const HTTP_FAULTS: readonly HttpFault[] = ["timeout", "reset", "5xx", "lost"];

function share(text: string | undefined, what: string): number {
  if (text === undefined || text === "") return 0;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`${what} must be a share between 0 and 1, not ${JSON.stringify(text)}`);
  return value;
}

export function parseHttpFaults(text: string | undefined): Record<HttpFault, number> {
  const rates: Record<HttpFault, number> = { timeout: 0, reset: 0, "5xx": 0, lost: 0 };
  for (const part of (text ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [name, value] = part.split("=");
    if (!HTTP_FAULTS.includes(name as HttpFault)) throw new Error(`UNICLOUD_HTTP_FAULTS knows ${HTTP_FAULTS.join(", ")}, not ${JSON.stringify(name)}`);
    rates[name as HttpFault] = share(value, `UNICLOUD_HTTP_FAULTS ${name}`);
  }
  if (HTTP_FAULTS.reduce((sum, name) => sum + rates[name], 0) > 1) throw new Error("UNICLOUD_HTTP_FAULTS add up to more than 1");
  return rates;
}

/** `0.2`, `overlap` or `overlap,0.2`: the random share of commits that fail, and whether overlaps conflict. */
export function parseWriteConflicts(text: string | undefined): { share: number; overlap: boolean } {
  let overlap = false;
  let random = 0;
  for (const part of (text ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    if (part === "overlap") overlap = true;
    else random = share(part, "UNICLOUD_WRITE_CONFLICTS");
  }
  return { share: random, overlap };
}

export function faultPlanFrom(env: NodeJS.ProcessEnv): FaultPlan {
  const { share: conflicts, overlap } = parseWriteConflicts(env.UNICLOUD_WRITE_CONFLICTS);
  const http = parseHttpFaults(env.UNICLOUD_HTTP_FAULTS);
  // Each process its own stream (two instances on one seed would otherwise fail in lockstep).
  const seed = Number(env.UNICLOUD_FAULT_SEED ?? Date.now()) + process.pid;
  const commitDraws: Random = seededRandom(seed);
  const httpDraws: Random = seededRandom(seed ^ 0x5f3759df);
  const logFile = env.UNICLOUD_FAULT_LOG;
  const injected = <T extends string>(fault: T): T => {
    if (logFile) appendFileSync(logFile, `${fault}\n`);
    return fault;
  };
  return {
    writeConflict() {
      if (!(conflicts > 0 && commitDraws.next() < conflicts)) return false;
      injected("write-conflict");
      return true;
    },
    overlapConflicts: overlap,
    overlapConflict() {
      injected("overlap-conflict");
    },
    httpFault() {
      if (HTTP_FAULTS.every((name) => http[name] === 0)) return undefined;
      let draw = httpDraws.next();
      for (const name of HTTP_FAULTS) {
        if (draw < http[name]) return injected(name);
        draw -= http[name];
      }
      return undefined;
    },
  };
}

let current: FaultPlan | undefined;

/** The process's plan, read from the environment once. */
export function faults(): FaultPlan {
  current ??= faultPlanFrom(process.env);
  return current;
}
