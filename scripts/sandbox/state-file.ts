import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * A sandbox's memory across `npm start` restarts: one JSON file, written whole through a temporary file
 * and a rename (never half-written), readable only by its owner. Without a file the state lives in memory.
 */

/** The saved state with `version: 1`, or a fresh one; a damaged file starts the sandbox empty rather than not at all. */
export function readStateFile<T extends { version: 1 }>(file: string | undefined, empty: () => T): T {
  if (!file || !existsSync(file)) return empty();
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as T;
    if (parsed?.version === 1) return { ...empty(), ...parsed };
  } catch {
    // Fall through to an empty state (say, a crash while someone edited the file by hand).
  }
  return empty();
}

export function writeStateFile(file: string | undefined, data: unknown): void {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, JSON.stringify(data), { mode: 0o600 });
  renameSync(temporary, file);
}

/** What every sandbox's state holds besides its own records: the business clock and the last notifications. */
export interface SandboxStateBase<Notification> {
  /** Wall clock (ms): signatures and their time windows use it, as the library's clock is the real one. */
  now(): number;
  /** Business clock (ms): wall clock plus `clock` advances; expiries and trade times use it. */
  businessNow(): number;
  advanceClock(seconds: number): void;
  readonly clockOffsetSeconds: number;
  lastNotification(key: string): Notification | undefined;
  putNotification(key: string, notification: Notification): void;
  /** Writes the state file now (every put already does). */
  save(): void;
}

/**
 * The clock and notification part of a sandbox's state over its persisted `data`; a sandbox adds its own
 * records to the object this returns (keeping `clockOffsetSeconds` a live getter).
 */
export function sandboxStateBase<Notification>(
  data: { clockOffsetSeconds: number; notifications: Record<string, Notification> },
  file: string | undefined,
  now: () => number,
): SandboxStateBase<Notification> {
  const save = () => writeStateFile(file, data);
  return {
    now,
    businessNow: () => now() + data.clockOffsetSeconds * 1000,
    advanceClock(seconds) {
      data.clockOffsetSeconds += seconds;
      save();
    },
    get clockOffsetSeconds() {
      return data.clockOffsetSeconds;
    },
    lastNotification: (key) => data.notifications[key],
    putNotification(key, notification) {
      data.notifications[key] = notification;
      save();
    },
    save,
  };
}
