import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR } from "../../scripts/build/paths";
import { startFixtureEmulator } from "./fixture-space";
import { UNI_ID_TEST_CONFIG } from "./tokens";

/** Writes a file into the emulator's `uni-config-center/` override folder. */
export function writeOverride(dataDir: string, file: string, contents: string): void {
  const path = join(dataDir, "uni-config-center", file);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, contents);
}

/** The built local space (vk-pay and its modules) in an emulator with a known uni-id secret. */
export async function startBuiltSpace(prepare?: (dataDir: string) => void) {
  const env = await startFixtureEmulator({
    spaceDir: SPACE_DIR,
    prepare(dataDir) {
      writeOverride(dataDir, "uni-id/config.json", JSON.stringify(UNI_ID_TEST_CONFIG));
      prepare?.(dataDir);
    },
  });
  const db = env.emulator.uniCloud.database() as any;
  return { ...env, db };
}
