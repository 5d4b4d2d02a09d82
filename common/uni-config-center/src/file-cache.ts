import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";

interface Entry {
  signature: string;
  value: unknown;
}

/**
 * Parsed files keyed by absolute path and re-read when their size or mtime changes: one `stat` per
 * read, so a test or a user editing an override between calls sees the new content without a restart,
 * while a hot path (a token check per request) parses nothing.
 */
const entries = new Map<string, Entry>();

function signatureOf(file: string): string | undefined {
  try {
    const stat = statSync(file);
    return stat.isFile() ? `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}` : undefined;
  } catch {
    return undefined;
  }
}

export function fileExists(file: string): boolean {
  return signatureOf(file) !== undefined;
}

/**
 * `.json` is parsed here rather than `require`d so that a rewritten file is always seen again. Other
 * files go through a `require` made for their own path (so their relative requires and `__dirname`
 * work), dropping the cached module when the file changed. Under jest that `require` is jest's, whose
 * cache cannot be dropped: a `.js` config rewritten within one test file needs `jest.resetModules()`.
 * Existence is checked first, so a missing module required *by* the file is an error, never "absent".
 * Returns undefined only for a missing file.
 */
export function loadFile(file: string): unknown {
  const signature = signatureOf(file);
  if (signature === undefined) return undefined;
  const cached = entries.get(file);
  if (cached && cached.signature === signature) return cached.value;
  const value = file.endsWith(".json") ? parseJsonFile(file) : requireFresh(file);
  entries.set(file, { signature, value });
  return value;
}

function parseJsonFile(file: string): unknown {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${file}: ${(error as Error).message}`);
  }
}

function requireFresh(file: string): unknown {
  const nodeRequire = createRequire(file);
  delete nodeRequire.cache[file];
  return nodeRequire(file);
}
