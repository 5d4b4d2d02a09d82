import { keyColumnsOf, type KeyColumn } from "../../scripts/uni-cloud-mock/src/database/key-columns";
import { loadIndexDefinitions } from "../../scripts/uni-cloud-mock/src/database/schema";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase, type CloudDatabase } from "../../scripts/uni-cloud-mock/src/database";

/** A temp folder removed after the test file; holds database files and index.json definitions. */
export function useTempDir(): { path: () => string } {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "db-test-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return { path: () => dir };
}

export function writeIndexFile(dir: string, collection: string, indexes: unknown[]): void {
  writeFileSync(join(dir, `${collection}.index.json`), JSON.stringify(indexes));
}

export function uniqueIndex(name: string, fields: string[], extra: Record<string, unknown> = {}) {
  return {
    IndexName: name,
    MgoKeySchema: { MgoIndexKeys: fields.map((field) => ({ Name: field, Direction: "1" })), MgoIsUnique: true, ...extra },
  };
}

export function plainIndex(name: string, fields: string[]) {
  return { IndexName: name, MgoKeySchema: { MgoIndexKeys: fields.map((field) => ({ Name: field, Direction: "1" })), MgoIsUnique: false } };
}

/** A fresh in-memory database per test. */
export function useMemoryDatabase(): () => CloudDatabase {
  let db: CloudDatabase;
  beforeEach(() => {
    db = createDatabase({ file: ":memory:" });
  });
  afterEach(async () => {
    await db.close();
  });
  return () => db;
}

/** The rejection of a promise, failing the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ errCode: string; errMsg: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { errCode: string; errMsg: string };
  }
  throw new Error("expected the promise to reject");
}

/** The key columns (key-columns.ts) the collection's index file gives, for tests that build SQL by hand. */
export function keyColumnsIn(dir: string, collection: string): Map<string, KeyColumn> {
  return new Map(keyColumnsOf(loadIndexDefinitions(dir, collection)).map((column) => [column.key, column]));
}

/**
 * Runs `test/database/workers/<script>` in its own node process and resolves with the JSON of its last
 * output line. jest's process.env is its own copy: a child sees only what `env` passes explicitly.
 */
export function runDatabaseWorker<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "workers", script), ...args], {
      cwd: join(__dirname, "../.."),
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(stdout.trim().split("\n").pop()!) as T) : reject(new Error(`${script} ${args.join(" ")} exited ${code}: ${stderr}`)),
    );
  });
}
