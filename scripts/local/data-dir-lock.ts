import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StartupError } from "./startup-errors";

/**
 * One `npm start` per data directory. Two would share the database but not the sandboxes' in-memory
 * state, so the second one's cashier would answer 404 for the first one's orders. The lock file holds
 * the owner's pid; a lock whose process is gone is stale and taken over.
 */
export const LOCK_FILE_NAME = "emulator.lock";

export class DataDirLockedError extends StartupError {
  constructor(
    readonly lockFile: string,
    readonly ownerPid: number,
  ) {
    super(
      `another npm start (pid ${ownerPid}) is using this data directory; its lock is ${lockFile}. ` +
        `Stop that process, or give this one its own folder with UNICLOUD_DATA_DIR (and another PORT).`,
    );
    this.name = "DataDirLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, which still holds the folder.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(lockFile: string): number | undefined {
  try {
    const pid = Number(JSON.parse(readFileSync(lockFile, "utf8")).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The port the `npm start` holding this data directory listens on, if one is running and has said so:
 * `npm run doctor` prints the notify URL of that emulator even when PORT is set only in its shell.
 */
export function runningPort(dataDir: string): number | undefined {
  const lockFile = join(dataDir, LOCK_FILE_NAME);
  const owner = readOwner(lockFile);
  if (owner === undefined || !isAlive(owner)) return undefined;
  try {
    const port = Number(JSON.parse(readFileSync(lockFile, "utf8")).port);
    return Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the data directory's lock or throws DataDirLockedError naming the lock file and its owner. */
export function lockDataDir(dataDir: string, pid = process.pid): { lockFile: string; recordPort(port: number): void; release(): void } {
  const lockFile = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const startedAt = new Date().toISOString();
      // "wx": created only if absent, so two starts racing cannot both win.
      writeFileSync(lockFile, `${JSON.stringify({ pid, startedAt })}\n`, { flag: "wx" });
      let released = false;
      return {
        lockFile,
        /** Once listening (PORT=0 picks the port then), for runningPort. */
        recordPort(port) {
          if (!released && readOwner(lockFile) === pid) writeFileSync(lockFile, `${JSON.stringify({ pid, startedAt, port })}\n`);
        },
        release() {
          if (released) return;
          released = true;
          if (readOwner(lockFile) === pid) rmSync(lockFile, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(lockFile);
      if (owner !== undefined && owner !== pid && isAlive(owner)) throw new DataDirLockedError(lockFile, owner);
      // Stale (its process is gone) or unreadable: take it over.
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${lockFile}: it keeps reappearing; is another npm start starting right now?`);
}
