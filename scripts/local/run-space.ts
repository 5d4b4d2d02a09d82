import { cpSync, rmSync } from "node:fs";
import { join, sep } from "node:path";
import { SPACE_DIR } from "../build/paths";

/**
 * The copy of the deploy folder that `npm start` runs. Running a function links its `file:` dependencies
 * into its node_modules (the emulator's stand-ins of uni-config-center and uni-id-common among them);
 * doing that in a copy under the data directory keeps `uniCloud/` exactly what a user may upload.
 */
export function prepareRunSpace(dataDir: string): string {
  const runSpace = join(dataDir, "space");
  rmSync(runSpace, { recursive: true, force: true });
  cpSync(SPACE_DIR, runSpace, { recursive: true, filter: (source) => !source.split(sep).includes("node_modules") });
  return runSpace;
}
