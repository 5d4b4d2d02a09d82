import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR } from "../../scripts/build/paths";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { loadOrCreateWxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { copySpace } from "../helpers/fixture-space";
import { freePort, killChildren, startEmulatorProcess } from "../helpers/processes";
import { wxpayPaymentNotification } from "./helpers/wxpay-v3-notification";
import { mintToken, TEST_SECRET, UNI_ID_TEST_CONFIG } from "../helpers/tokens";

/**
 * An order type whose hook kills its own process halfway the first time: after the payment was written
 * and the hook wrote a credit, before the transaction holding them (with the marker and the log entry)
 * committed. None of it may remain, and the next delivery (here to a fresh process) must apply the
 * payment and the hook exactly once.
 */
const CRASHING_HOOK = `
const fs = require("fs");
const path = require("path");
const marker = path.join(process.env.UNICLOUD_DATA_DIR, "crashed-once");
module.exports = {
  create() { return { total_fee: 700, subject: "crash test", custom: {} }; },
  async paid({ order, db }) {
    const users = db.collection("uni-id-users");
    const { data } = await users.doc(order.user_id).get();
    await users.doc(order.user_id).update({ balance: (data.balance || 0) + order.total_fee });
    if (!fs.existsSync(marker)) {
      fs.writeFileSync(marker, "1");
      process.kill(process.pid, "SIGKILL");
      await new Promise(() => {});
    }
  },
};
`;

describe("a process killed between the payment and its hook", () => {
  let space: ReturnType<typeof copySpace>;
  afterAll(() => {
    killChildren();
    space?.cleanup();
  });

  it("loses the payment's and the hook's half-done writes together, and the next delivery applies both once", async () => {
    space = copySpace(SPACE_DIR);
    writeFileSync(join(space.spaceDir, "cloudfunctions/vk-pay/service/pay-notify/crashy.js"), CRASHING_HOOK);
    mkdirSync(join(space.dataDir, "uni-config-center/uni-id"), { recursive: true });
    writeFileSync(join(space.dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
    await prepareDataDir(space.dataDir);
    const keys = await loadOrCreateWxpaySandboxKeys(space.dataDir);
    const dbFile = join(space.dataDir, "db.sqlite");
    const setup = createDatabase({ file: dbFile });
    await setup.collection("uni-id-users").add({ _id: "u1", role: [], status: 0, balance: 0 });
    await setup.close();

    const first = await startEmulatorProcess([space.spaceDir, space.dataDir, dbFile, String(await freePort()), "--sandbox"]);
    const token = await mintToken(TEST_SECRET, { uid: "u1" });
    const created = (await (
      await fetch(`${first.url}/http/vk-pay`, {
        method: "POST",
        headers: { "content-type": "application/json", "uni-id-token": token },
        body: JSON.stringify({ url: "pay/createPayment", data: { vk_platform: "h5", isPC: true, provider: "wxpay", type: "crashy" } }),
      })
    ).json()) as any;
    expect(created).toMatchObject({ code: 0, data: { total_fee: 700 } });
    const notification = wxpayPaymentNotification(keys, created.data.out_trade_no, 700);
    const path = `/http/vk-pay/vk-pay-notify/wxpay_h5/${created.data.out_trade_no}`;

    const died = new Promise((resolve) => first.child.once("exit", (_code, signal) => resolve(signal)));
    await expect(fetch(`${first.url}${path}`, { method: "POST", headers: notification.headers, body: notification.body })).rejects.toThrow();
    expect(await died).toBe("SIGKILL");

    const check = async () => {
      const db = createDatabase({ file: dbFile });
      try {
        const order = ((await db.collection("vk-pay-orders").where({ out_trade_no: created.data.out_trade_no }).get()).data as any[])[0];
        const user = ((await db.collection("uni-id-users").doc("u1").get()).data as any[])[0];
        return { status: order.status, hookDone: order.user_order_success, balance: user.balance };
      } finally {
        await db.close();
      }
    };
    // One transaction: the kill took the payment's state change back with the hook's half-done credit.
    expect(await check()).toEqual({ status: "NOTPAY", hookDone: undefined, balance: 0 });

    const second = await startEmulatorProcess([space.spaceDir, space.dataDir, dbFile, String(await freePort())]);
    for (let delivery = 0; delivery < 2; delivery += 1) {
      const reply = await fetch(`${second.url}${path}`, { method: "POST", headers: notification.headers, body: notification.body });
      expect(reply.status).toBe(200);
    }
    expect(await check()).toEqual({ status: "SUCCESS", hookDone: true, balance: 700 });
  }, 60_000);
});
