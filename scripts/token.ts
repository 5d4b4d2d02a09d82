import { ensureBuilt } from "./build";
import { SPACE_DIR } from "./build/paths";
import { dataDirFromEnv, prepareDataDir } from "./local/data-dir";
import { ensureUser, issueToken } from "./local/users";
import { createEmulator } from "./uni-cloud-mock/src";

/** `npm run -s token -- <uid> [role,role]`: a valid token for the local config, as the last line. */
async function main(): Promise<void> {
  const [uid, roles = ""] = process.argv.slice(2);
  if (!uid || !/^[A-Za-z0-9_-]{1,64}$/.test(uid)) {
    console.error("usage: npm run -s token -- <uid> [role,role]   (uid: letters, digits, _ and -)");
    process.exit(2);
  }
  const role = roles
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  await ensureBuilt();
  const dataDir = dataDirFromEnv();
  await prepareDataDir(dataDir);
  const emulator = createEmulator({ spaceDir: SPACE_DIR, dataDir, timers: false, log: () => undefined });
  try {
    await ensureUser(emulator.uniCloud.database() as Parameters<typeof ensureUser>[0], uid, role);
    const { token } = await issueToken(uid, role);
    console.log(token);
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
