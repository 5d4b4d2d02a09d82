import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR } from "../../scripts/build/paths";
import { prepareDataDir } from "../../scripts/local/data-dir";
import type { AlipaySandbox } from "../../scripts/sandbox/alipay";
import { SANDBOXES, type RunningSandbox } from "../../scripts/sandbox/registry";
import type { WxpaySandbox } from "../../scripts/sandbox/wxpay";
import { copySpace } from "./fixture-space";
import { createEmulator } from "../../scripts/uni-cloud-mock/src";
import { UNI_ID_TEST_CONFIG } from "./tokens";

/**
 * The whole local product as `npm start` runs it: the built vk-pay in the emulator, the generated
 * uni-pay config pointing at the sandboxes, and every sandbox of the registry over real HTTP.
 */
export async function startPayingSpace(
  options: { prepareSpace?: (spaceDir: string) => void; prepareDataDir?: (dataDir: string) => void | Promise<void> } = {},
) {
  const space = copySpace(SPACE_DIR);
  // Tests may add their own cloud functions (server code calling vk-uni-pay) beside vk-pay.
  options.prepareSpace?.(space.spaceDir);
  const dataDir = space.dataDir;
  mkdirSync(join(dataDir, "uni-config-center/uni-id"), { recursive: true });
  writeFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
  // A test may write its own uni-pay/config.js (or vk-pay-config rows) first; generated files never overwrite it.
  await options.prepareDataDir?.(dataDir);
  await prepareDataDir(dataDir);
  const emulator = createEmulator({
    spaceDir: space.spaceDir,
    dataDir,
    databaseFile: join(dataDir, "db.sqlite"),
    port: 0,
    timers: false,
    log: () => undefined,
  });
  const sandboxes: Record<string, RunningSandbox> = {};
  for (const sandbox of SANDBOXES) {
    sandboxes[sandbox.name] = await sandbox.start({ dataDir, mode: "test", log: () => undefined });
    emulator.mount(`/__sandbox/${sandbox.name}`, sandboxes[sandbox.name]!.handler);
  }
  // Typed handles for the tests that drive a sandbox's own state.
  const wxpay = sandboxes.wxpay as WxpaySandbox;
  const alipay = sandboxes.alipay as AlipaySandbox;
  const url = await emulator.listen();
  // The generated config reads PORT when it is first loaded, which happens on the first call.
  process.env.PORT = new URL(url).port;
  const db = emulator.uniCloud.database() as any;
  const control = async (provider: string, action: string, body: Record<string, unknown>) => {
    const response = await fetch(`${url}/__sandbox/${provider}/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, any>;
  };
  return {
    emulator,
    url,
    db,
    dataDir,
    sandboxes,
    wxpay,
    alipay,
    control,
    async close() {
      for (const sandbox of Object.values(sandboxes)) await sandbox.close();
      await emulator.close();
      space.cleanup();
    },
  };
}
