import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR } from "../../scripts/build/paths";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { createAlipaySandbox, type AlipaySandbox } from "../../scripts/sandbox/alipay";
import { createWxpaySandbox, type WxpaySandbox } from "../../scripts/sandbox/wxpay";
import { copySpace } from "./fixture-space";
import { createEmulator } from "../../scripts/uni-cloud-mock/src";
import { UNI_ID_TEST_CONFIG } from "./tokens";

/**
 * The whole local product as `npm start` runs it: the built vk-pay in the emulator, the generated
 * uni-pay config pointing at the sandboxes, and the WeChat Pay sandbox over real HTTP.
 */
export async function startPayingSpace(options: { prepareSpace?: (spaceDir: string) => void; prepareDataDir?: (dataDir: string) => void | Promise<void> } = {}) {
  const space = copySpace(SPACE_DIR);
  // Tests may add their own cloud functions (server code calling vk-uni-pay) beside vk-pay.
  options.prepareSpace?.(space.spaceDir);
  const dataDir = space.dataDir;
  mkdirSync(join(dataDir, "uni-config-center/uni-id"), { recursive: true });
  writeFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
  // A test may write its own uni-pay/config.js (or vk-pay-config rows) first; generated files never overwrite it.
  await options.prepareDataDir?.(dataDir);
  await prepareDataDir(dataDir);
  const emulator = createEmulator({ spaceDir: space.spaceDir, dataDir, databaseFile: join(dataDir, "db.sqlite"), port: 0, timers: false, log: () => undefined });
  const wxpay: WxpaySandbox = await createWxpaySandbox({ dataDir, persist: false, notifyRetryDelaysMs: [50, 100], refundAutoSettleMs: false, httpsPort: 0, log: () => undefined });
  // The generated config's v2 `secapiBaseUrl` reads this when loaded, as its baseUrl reads PORT.
  process.env.WXPAY_SANDBOX_HTTPS_PORT = new URL(wxpay.secapiBaseUrl!).port;
  emulator.mount("/__sandbox/wxpay", wxpay.handler);
  const alipay: AlipaySandbox = await createAlipaySandbox({ dataDir, persist: false, notifyRetryDelaysMs: [50, 100], log: () => undefined });
  emulator.mount("/__sandbox/alipay", alipay.handler);
  const url = await emulator.listen();
  // The generated config reads PORT when it is first loaded, which happens on the first call.
  process.env.PORT = new URL(url).port;
  const db = emulator.uniCloud.database() as any;
  const control = async (provider: string, action: string, body: Record<string, unknown>) => {
    const response = await fetch(`${url}/__sandbox/${provider}/${action}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return (await response.json()) as Record<string, any>;
  };
  return {
    emulator,
    url,
    db,
    dataDir,
    wxpay,
    alipay,
    control,
    async close() {
      await wxpay.close();
      await alipay.close();
      await emulator.close();
      space.cleanup();
    },
  };
}
