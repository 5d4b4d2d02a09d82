import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BUILD_STAMP, PLUGIN_DIR, ROOT } from "./paths";

/** What the built output depends on: a change to any of these makes the output stale. */
const INPUTS = ["common", "router", "scripts/build", "uniCloud/database", "uniCloud/cloudfunctions/common/uni-config-center", "package-lock.json"];
const SKIPPED = new Set(["node_modules", "index.js", "package.json"]);

function collect(path: string, files: string[]): void {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    files.push(path);
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    // The config-center folder also holds the built index.js/package.json; they are outputs, not inputs.
    if (entry.name === "node_modules" || (path.endsWith("uni-config-center") && SKIPPED.has(entry.name))) continue;
    collect(join(path, entry.name), files);
  }
}

export function inputHash(): string {
  const files: string[] = [];
  for (const input of INPUTS) collect(join(ROOT, input), files);
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

export function isBuildCurrent(): boolean {
  if (!existsSync(BUILD_STAMP) || !existsSync(join(PLUGIN_DIR, "package.json"))) return false;
  return readFileSync(BUILD_STAMP, "utf8").trim() === inputHash();
}
