import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { startPayingSpace } from "../helpers/paying-space";
import { wxpayPaymentNotification } from "./helpers/wxpay-v3-notification";
import { addShopFunction, BASE, wxpayClients, writeUniPayConfig, type PayingSpace } from "./helpers/wxpay";

/**
 * WeChat Pay v3 platform certificate rotation in the middle of a run of notifications, end to end: the
 * sandbox switches its signing certificate while orders are being paid; the library, meeting the new
 * serial, downloads `/v3/certificates` once and accepts every notification, keeps accepting the old
 * certificate during the switch period, and carries on after the old one is retired. Beside it, a
 * merchant in public-key mode (WeChat Pay public key, `PUB_KEY_ID_…`) never downloads anything.
 */

const SUB_MCHID = "1900000201";

/**
 * h5: the direct merchant in certificate mode only (no public key configured, so the platform certificates
 * are its only keys); mweb: the service provider in public-key mode, its orders placed for a sub-merchant.
 */
function config(keys: WxpaySandboxKeys) {
  const certificateMode: Record<string, unknown> = wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`);
  delete certificateMode.wxpayPublicKeyPath;
  delete certificateMode.wxpayPublicKeyId;
  return {
    h5: certificateMode,
    mweb: {
      ...wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`, { merchant: "partner" }),
      sceneInfo: { h5_info: { type: "Wap", wap_url: "http://127.0.0.1", wap_name: "vk-pay" } },
    },
  };
}

describe("WeChat Pay platform certificate rotation end to end", () => {
  let env: PayingSpace;
  let api: Awaited<ReturnType<typeof wxpayClients>>;
  let keys: WxpaySandboxKeys;
  const downloads = () => env.wxpay.platform.downloads(keys.mchId);
  const storedSerials = async () =>
    ((await env.db.collection("vk-pay-wxpay-certs").where({ mchid: keys.mchId }).get()).data as Array<{ serial_no: string }>)
      .map((doc) => doc.serial_no)
      .sort();

  /** Creates `count` Native recharges of `fee` and has the sandbox's payer pay them all at once. */
  const payMany = async (count: number, fee: number) => {
    const created = await Promise.all(
      Array.from({ length: count }, () => api.client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: fee, isPC: true })),
    );
    const numbers = created.map((answer) => {
      expect(answer).toMatchObject({ code: 0, data: { pay_type: "wxpay_h5" } });
      return answer.data.out_trade_no as string;
    });
    await Promise.all(numbers.map((outTradeNo) => env.control("wxpay", "pay", { out_trade_no: outTradeNo })));
    await env.wxpay.idle();
    return numbers;
  };
  /** Each notification was accepted at its first delivery: one log entry, applied. */
  const expectAppliedOnce = async (numbers: string[]) => {
    for (const outTradeNo of numbers) {
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
      expect(await api.logFor(outTradeNo)).toEqual([["applied", ""]]);
    }
  };

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareSpace: addShopFunction,
      prepareDataDir: async (dataDir) => writeUniPayConfig(dataDir, config(await loadOrCreateWxpaySandboxKeys(dataDir))),
    });
    keys = env.wxpay.keys;
    api = await wxpayClients(env);
  });
  afterAll(() => env.close());

  it("accepts every notification across a rotation, downloading the new certificate once, and after the old one retires", async () => {
    const first = await payMany(4, 100);
    await expectAppliedOnce(first);
    // The first signed answer named a serial nobody had: one download, stored for other instances.
    expect(downloads()).toBe(1);
    expect(await storedSerials()).toEqual([keys.platformSerial]);

    const rotated = await env.control("wxpay", "rotate-platform-certificate", {});
    expect(rotated).toMatchObject({ ok: true, previous_serial_no: keys.platformSerial, listed: [expect.any(String), keys.platformSerial] });
    const newSerial = rotated.serial_no as string;

    // Orders created and notified under the new serial, concurrently: one more download among them all.
    const second = await payMany(5, 100);
    await expectAppliedOnce(second);
    expect(downloads()).toBe(2);
    expect(await storedSerials()).toEqual([keys.platformSerial, newSerial].sort());

    // During the switch period a message still signed with the old certificate verifies too.
    const late = await api.client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 100, isPC: true });
    const lateNo = late.data.out_trade_no as string;
    const oldSigned = wxpayPaymentNotification(keys, lateNo, 100);
    expect(oldSigned.headers["Wechatpay-Serial"] ?? oldSigned.headers["wechatpay-serial"]).toBe(keys.platformSerial);
    const reply = await fetch((await api.order(lateNo)).notify_url, { method: "POST", headers: oldSigned.headers, body: oldSigned.body });
    expect(reply.status).toBe(200);
    expect(await api.order(lateNo)).toMatchObject({ status: "SUCCESS" });

    // The old certificate leaves the list; the new one carries on with no further download.
    expect(await env.control("wxpay", "retire-platform-certificate", { serial_no: keys.platformSerial })).toMatchObject({
      ok: true,
      retired: [keys.platformSerial],
      listed: [newSerial],
    });
    const third = await payMany(3, 100);
    await expectAppliedOnce(third);
    expect(downloads()).toBe(2);
    expect(await api.balance()).toBe(100 * (4 + 5 + 1 + 3));
  });

  it("keeps a public-key-mode merchant beside it: answers and notifications under PUB_KEY_ID_, no certificate download", async () => {
    expect(await env.control("wxpay", "sign-mode", { mchid: keys.partner.mchId, sign_mode: "public_key" })).toMatchObject({ ok: true });
    // A second rotation changes nothing for a merchant whose messages are signed with the public key.
    await env.control("wxpay", "rotate-platform-certificate", {});
    const numbers: string[] = [];
    for (let n = 0; n < 3; n++) {
      const outTradeNo = `PUBKEY${Date.now()}${n}`;
      const created = await api.call(
        "shop",
        { action: "create", data: { out_trade_no: outTradeNo, total_fee: 200, subject: "公钥模式", type: "recharge", user_id: "u1", sub_mchid: SUB_MCHID } },
        { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1" },
      );
      expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_mweb" } });
      await env.control("wxpay", "pay", { mchid: SUB_MCHID, out_trade_no: outTradeNo });
      numbers.push(outTradeNo);
    }
    await env.wxpay.idle();
    for (const outTradeNo of numbers) expect(await api.logFor(outTradeNo)).toEqual([["applied", ""]]);
    expect(env.wxpay.platform.downloads(keys.partner.mchId)).toBe(0);
    // The certificate-mode merchant, meanwhile, still follows its rotations.
    const again = await payMany(1, 100);
    await expectAppliedOnce(again);
    expect(downloads()).toBe(3);
  });
});
