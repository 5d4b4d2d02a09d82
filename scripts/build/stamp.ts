import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BUILD_STAMP, PLUGIN_DIR, ROOT, STAND_IN_COMMON } from "./paths";

/** What the built output depends on: a change to any of these makes the output stale. */
const INPUTS = ["common", "router", "scripts/build", "uniCloud/database", "scripts/uni-cloud-mock/space", "package-lock.json"];
/** The stand-ins' folder also holds their built index.js/package.json and the copied template: outputs, not inputs. */
const BUILT_STAND_IN_FILES = new Set(["index.js", "package.json", "uni-pay"]);

function collect(path: string, files: string[]): void {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    files.push(path);
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === "node_modules" || (path.startsWith(STAND_IN_COMMON) && BUILT_STAND_IN_FILES.has(entry.name))) continue;
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
  const outputs = [
    BUILD_STAMP,
    join(PLUGIN_DIR, "package.json"),
    join(STAND_IN_COMMON, "uni-id-common/index.js"),
    join(STAND_IN_COMMON, "uni-config-center/index.js"),
  ];
  if (outputs.some((file) => !existsSync(file))) return false;
  return readFileSync(BUILD_STAMP, "utf8").trim() === inputHash();
}
