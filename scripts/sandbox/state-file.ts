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
