import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR } from "../../scripts/build/paths";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { loadOrCreateWxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { copySpace } from "../helpers/fixture-space";
import { freePort, killChildren, startEmulatorProcess } from "../helpers/processes";
import { wxpayPaymentNotification } from "./helpers/wxpay-v3-notification";
import { mintToken, TEST_SECRET, UNI_ID_TEST_CONFIG } from "../helpers/tokens";

/**
 * Two emulator processes on one space and one database file, as two cloud instances of vk-pay: the
 * same payment notification delivered 50 times at once, half to each, is applied and credited once.
 */
describe("two vk-pay processes on one database", () => {
  let space: ReturnType<typeof copySpace>;
  afterAll(() => {
    killChildren();
    space?.cleanup();
  });

  it("apply 50 concurrent duplicate notifications exactly once", async () => {
    space = copySpace(SPACE_DIR);
    mkdirSync(join(space.dataDir, "uni-config-center/uni-id"), { recursive: true });
    writeFileSync(join(space.dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
    await prepareDataDir(space.dataDir);
    const keys = await loadOrCreateWxpaySandboxKeys(space.dataDir);
    const dbFile = join(space.dataDir, "shared.sqlite");
    const [portA, portB] = [await freePort(), await freePort()];

    // One after the other: the first one creates the tables and links the modules.
    const a = await startEmulatorProcess([space.spaceDir, space.dataDir, dbFile, String(portA), "--sandbox"]);
    const token = await mintToken(TEST_SECRET, { uid: "u1" });
    const call = async (base: string, url: string, data: Record<string, unknown>) =>
      (await (
        await fetch(`${base}/http/vk-pay`, {
          method: "POST",
          headers: { "content-type": "application/json", "uni-id-token": token },
          body: JSON.stringify({ url, data }),
        })
      ).json()) as any;
    // The user row, through the emulator's own database file.
    const setup = createDatabase({ file: dbFile });
    await setup.collection("uni-id-users").add({ _id: "u1", role: [], status: 0, balance: 0 });
    await setup.close();
    const created = await call(a.url, "pay/createPayment", { vk_platform: "h5", isPC: true, provider: "wxpay", type: "recharge", total_fee: 1234 });
    expect(created).toMatchObject({ code: 0 });
    const b = await startEmulatorProcess([space.spaceDir, space.dataDir, dbFile, String(portB)]);

    const { headers, body } = wxpayPaymentNotification(keys, created.data.out_trade_no, 1234);
    const path = `/http/vk-pay/vk-pay-notify/wxpay_h5/${created.data.out_trade_no}`;
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fetch(`${i % 2 ? b.url : a.url}${path}`, { method: "POST", headers, body }).then((r) => r.status)),
    );
    expect(replies.every((status) => status === 200 || status === 204)).toBe(true);

    const info = await call(b.url, "user/getInfo", {});
    expect(info).toMatchObject({ code: 0, data: { balance: 1234 } });
    const check = createDatabase({ file: dbFile });
    try {
      const log = (await check.collection("vk-pay-notify-log").limit(1000).get()).data as Array<{ outcome: string }>;
      expect(log.filter((entry) => entry.outcome === "applied")).toHaveLength(1);
      expect(log.filter((entry) => entry.outcome === "duplicate")).toHaveLength(49);
      const credits = (await check.collection("vk-pay-balance-log").get()).data;
      expect(credits).toHaveLength(1);
    } finally {
      await check.close();
    }
  }, 120_000);
});
