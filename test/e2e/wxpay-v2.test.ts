import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { startPayingSpace } from "../helpers/paying-space";
import { addShopFunction, BASE, readXml, SECAPI, v2PaySignHolds, v2Sign, wxpayClients, writeUniPayConfig, type PayingSpace } from "./helpers/wxpay";

/**
 * WeChat Pay API v2 end to end over real HTTP: a config whose every wxpay block says `version: 2`, the
 * emulator running the built vk-pay, and the sandbox's XML endpoints (refunds and reversals over mutual
 * TLS on its HTTPS port). Each mode is created, paid by the sandbox's payer, notified in signed XML,
 * applied once by its order type's hook, queried and refunded; pay-code checkouts come from the
 * developer's own cloud function, as a shop's till would.
 */

const MOBILE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1";
const WECHAT_BROWSER = "Mozilla/5.0 (iPhone) Mobile/15E148 MicroMessenger/8.0.40";

/** Every mode over v2; the App block signs with HMAC-SHA256, the others with MD5 (the default). */
function v2Config(keys: WxpaySandboxKeys) {
  const block = (extra: Record<string, unknown> = {}) => ({
    ...wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`, { version: 2, secapiBaseUrl: `${SECAPI}/__sandbox/wxpay` }),
    ...extra,
  });
  return {
    "mp-weixin": block(),
    "h5-weixin": block(),
    "app-plus": block({ signType: "HMAC-SHA256" }),
    h5: block(),
    mweb: block({ sceneInfo: { h5_info: { type: "Wap", wap_url: "http://127.0.0.1", wap_name: "vk-pay 本地" } } }),
    // Short pay-code timings: the sandbox's USERPAYING lasts a query or two, not the real 30 s.
    codepay: block({ codepayPollIntervalMs: 20, codepayMaxWaitMs: 400 }),
  };
}

describe("WeChat Pay API v2 end to end through the emulator and the sandbox", () => {
  let env: PayingSpace;
  let api: Awaited<ReturnType<typeof wxpayClients>>;
  let keys: WxpaySandboxKeys;
  /** The sandbox's record of a trade: which API placed it and how it was signed. */
  const sandboxOrder = (outTradeNo: string) => env.wxpay.state.order(keys.mchId, outTradeNo);

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareSpace: addShopFunction,
      prepareDataDir: async (dataDir) => writeUniPayConfig(dataDir, v2Config(await loadOrCreateWxpaySandboxKeys(dataDir))),
    });
    keys = env.wxpay.keys;
    api = await wxpayClients(env);
  });
  afterAll(() => env.close());

  it("pays a recharge by Native QR over v2, credits it once, and refunds it in two parts over mutual TLS", async () => {
    const { client, asAdmin, balance, logFor, order } = api;
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 10000, isPC: true });
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "wxpay_h5", needQRcode: true, orderInfo: { codeUrl: expect.stringContaining("/__sandbox/wxpay/cashier") } },
    });
    const outTradeNo = created.data.out_trade_no as string;
    // Placed through unifiedorder with an MD5 signature: the sandbox would have refused a bad one.
    expect(sandboxOrder(outTradeNo)).toMatchObject({ version: 2, sign_type: "MD5", trade_type: "NATIVE", total: 10000 });
    expect(await client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "NOTPAY", orderPaid: false } });

    expect(await env.control("wxpay", "pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true, notification: "queued" });
    await env.wxpay.idle();
    expect(await client("pay/queryPayment", { out_trade_no: outTradeNo, await_notify: true })).toMatchObject({
      code: 0,
      data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true },
    });
    expect(await order(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 1, transaction_id: sandboxOrder(outTradeNo)!.transaction_id });
    expect(await balance()).toBe(10000);

    // The same XML notification again: acknowledged, nothing credited twice.
    await env.control("wxpay", "redeliver", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    expect(await balance()).toBe(10000);

    const partial = await asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 3000, refund_desc: "部分退款" });
    expect(partial).toMatchObject({ code: 0, data: { refund_status: "PROCESSING", refund_fee: 3000 } });
    // The sandbox serves /secapi/pay/refund only over HTTPS with the merchant's certificate: the refund got there.
    expect(env.wxpay.state.refund(keys.mchId, partial.data.out_refund_no)).toMatchObject({ version: 2, refund: 3000, status: "PROCESSING" });
    // The req_info refund notification (AES-256-ECB under MD5 of the key) settles it.
    expect(await env.control("wxpay", "refund-result", { out_refund_no: partial.data.out_refund_no, status: "SUCCESS" })).toMatchObject({
      notification: "queued",
    });
    await env.wxpay.idle();
    expect(await balance()).toBe(7000);
    expect(await order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 3000 });

    const rest = await asAdmin("admin/refund", { out_trade_no: outTradeNo });
    expect(rest).toMatchObject({ code: 0, data: { refund_fee: 7000 } });
    await env.control("wxpay", "refund-result", { out_refund_no: rest.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await balance()).toBe(0);
    const detail = await asAdmin("admin/orders", { out_trade_no: outTradeNo });
    expect(detail).toMatchObject({
      code: 0,
      data: {
        order: { status: "REFUND", refund_fee: 10000 },
        refunds: [
          { status: "SUCCESS", refund_fee: 3000 },
          { status: "SUCCESS", refund_fee: 7000 },
        ],
      },
    });
    expect((await logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["applied", "duplicate", "applied", "applied"]);
    expect(await asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 1 })).toMatchObject({ code: 2008 });
  });

  it("refuses /secapi over plain HTTP: the refund above could only have gone over mutual TLS", async () => {
    const fields = { appid: keys.appId, mch_id: keys.mchId, nonce_str: "n0nce", out_trade_no: "X1", out_refund_no: "X1-1", total_fee: "1", refund_fee: "1" };
    const response = await fetch(`${env.url}/__sandbox/wxpay/secapi/pay/refund`, {
      method: "POST",
      body: `<xml>${Object.entries({ ...fields, sign: v2Sign(fields, keys.key) })
        .map(([k, v]) => `<${k}>${v}</${k}>`)
        .join("")}</xml>`,
    });
    expect(readXml(await response.text())).toMatchObject({ return_code: "FAIL", return_msg: expect.stringMatching(/HTTPS|证书/) });
  });

  it("pays a goods order from a mini program with a v2 JSAPI paySign the client can check, taking the stock once", async () => {
    const { client } = api;
    const created = await client(
      "pay/createPayment",
      { provider: "wxpay", type: "goods", openid: "o-user-1", custom: { goods_id: "pen", quantity: 2 } },
      { platform: "mp-weixin" },
    );
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "wxpay_mp-weixin", total_fee: 3980, orderInfo: { appId: keys.appId, signType: "MD5", package: expect.stringMatching(/^prepay_id=/) } },
    });
    expect(v2PaySignHolds(created.data.orderInfo, keys.key)).toBe(true);
    expect(v2PaySignHolds({ ...created.data.orderInfo, package: "prepay_id=other" }, keys.key)).toBe(false);
    expect(sandboxOrder(created.data.out_trade_no)).toMatchObject({
      version: 2,
      trade_type: "JSAPI",
      payer_openid: "o-user-1",
      prepay_id: created.data.orderInfo.package.slice("prepay_id=".length),
    });
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    await env.control("wxpay", "redeliver", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    expect(await client("pay/queryPayment", { out_trade_no: created.data.out_trade_no })).toMatchObject({
      data: { trade_state: "SUCCESS", user_order_success: true },
    });
    expect((await client("pay/getGoods", {})).data.rows).toEqual([expect.objectContaining({ _id: "pen", stock: 3 })]);
  });

  it("extends VIP from a mobile browser (MWEB, scene_info from the config)", async () => {
    const { client } = api;
    const created = await client("pay/createPayment", { provider: "wxpay", type: "vip", custom: { vip_type: "month" } }, { userAgent: MOBILE_SAFARI });
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "wxpay_mweb", total_fee: 3000, orderInfo: { mwebUrl: expect.any(String), h5Url: expect.any(String) } },
    });
    expect(sandboxOrder(created.data.out_trade_no)).toMatchObject({ version: 2, trade_type: "MWEB" });
    const before = Date.now();
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    expect((await client("user/getInfo", {})).data.vip_expire_date).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
  });

  it("pays a recharge from the WeChat browser (h5-weixin JSAPI, MD5)", async () => {
    const { client, balance } = api;
    const before = await balance();
    const created = await client(
      "pay/createPayment",
      { provider: "wxpay", type: "recharge", total_fee: 150, openid: "o-user-2" },
      { userAgent: WECHAT_BROWSER },
    );
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "wxpay_h5-weixin", orderInfo: { signType: "MD5", package: expect.stringMatching(/^prepay_id=/) } },
    });
    expect(v2PaySignHolds(created.data.orderInfo, keys.key)).toBe(true);
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    expect(await balance()).toBe(before + 150);
  });

  it("pays a recharge from an App with HMAC-SHA256 throughout: request, answer, App sign and notification", async () => {
    const { client, balance, logFor } = api;
    const before = await balance();
    const created = await client(
      "pay/createPayment",
      { provider: "wxpay", type: "recharge", total_fee: 250 },
      { platform: "app", userAgent: "Mozilla/5.0 (Linux; Android 14) uni-app" },
    );
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "wxpay_app-plus", orderInfo: { appid: keys.appId, partnerid: keys.mchId, package: "Sign=WXPay", prepayid: expect.any(String) } },
    });
    const info = created.data.orderInfo as Record<string, string>;
    // The App's sign covers appid, noncestr, package, partnerid, prepayid, timestamp (no signType field), under HMAC-SHA256.
    expect(info.sign).toBe(
      v2Sign(
        { appid: info.appid, noncestr: info.noncestr, package: info.package, partnerid: info.partnerid, prepayid: info.prepayid, timestamp: info.timestamp },
        keys.key,
        "HMAC-SHA256",
      ),
    );
    // The sandbox signs this order's notification with the type it was placed with.
    expect(sandboxOrder(created.data.out_trade_no)).toMatchObject({ version: 2, sign_type: "HMAC-SHA256", trade_type: "APP" });
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    expect(await balance()).toBe(before + 250);
    expect(await logFor(created.data.out_trade_no)).toEqual([["applied", ""]]);
  });

  it("closes an unpaid v2 order at WeChat and here, after which the payer cannot pay it", async () => {
    const { client } = api;
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 200, isPC: true });
    expect(await client("pay/closeOrder", { out_trade_no: created.data.out_trade_no })).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
    expect(sandboxOrder(created.data.out_trade_no)).toMatchObject({ trade_state: "CLOSED" });
    expect(await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no })).toMatchObject({ ok: false });
    expect(await client("pay/queryPayment", { out_trade_no: created.data.out_trade_no })).toMatchObject({ data: { trade_state: "CLOSED" } });
  });

  describe("pay-code checkouts from the shop's own cloud function", () => {
    let serial = 0;
    /** 18 digits, as WeChat's codes: the prefix says what the sandbox's payer does. */
    const authCode = (prefix: string) => `${prefix}${String(Date.now()).slice(-10)}${String(serial++).padStart(4, "0")}`.padEnd(18, "7").slice(0, 18);
    const checkout = (code: string, totalFee: number) =>
      api.shop("create", {
        data: {
          out_trade_no: `TILL${Date.now()}${serial}`,
          total_fee: totalFee,
          subject: "门店收银",
          type: "recharge",
          user_id: "u1",
          auth_code: code,
          other: { store_id: "SZ-001" },
        },
      });
    /** The recharge hook runs in vk-pay; a payment applied in another function has it run there, once. */
    const settleHooks = async (outTradeNo: string) => api.asAdmin("admin/hookRetry", { out_trade_no: outTradeNo });

    it("pays at once, applies the payment through the exactly-once path, and credits once", async () => {
      const before = await api.balance();
      const paid = await checkout(authCode("10"), 500);
      expect(paid).toMatchObject({ code: 0, data: { pay_type: "wxpay_codepay", orderInfo: { tradeState: "SUCCESS" } } });
      const outTradeNo = paid.data.out_trade_no as string;
      expect(sandboxOrder(outTradeNo)).toMatchObject({ trade_type: "MICROPAY", trade_state: "SUCCESS", version: 2 });
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 0, transaction_id: sandboxOrder(outTradeNo)!.transaction_id });
      await settleHooks(outTradeNo);
      await settleHooks(outTradeNo);
      expect(await api.order(outTradeNo)).toMatchObject({ user_order_success: true });
      expect(await api.balance()).toBe(before + 500);
      expect(await api.shop("query", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "SUCCESS", orderPaid: true } });
    });

    it("waits out USERPAYING by querying until SUCCESS, then credits once like any payment", async () => {
      const before = await api.balance();
      // 143…: the payer confirms on the third query.
      const paid = await checkout(authCode("143"), 700);
      expect(paid).toMatchObject({ code: 0, data: { orderInfo: { tradeState: "SUCCESS" } } });
      const outTradeNo = paid.data.out_trade_no as string;
      // Still USERPAYING at WeChat unless the library queried three times: SUCCESS there proves the loop ran.
      expect(sandboxOrder(outTradeNo)).toMatchObject({ trade_state: "SUCCESS", userpaying_outcome: "SUCCESS" });
      await settleHooks(outTradeNo);
      await settleHooks(outTradeNo);
      expect(await api.balance()).toBe(before + 700);
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    });

    it("reverses a payment still unconfirmed at the deadline: closed here and REVOKED at WeChat", async () => {
      const before = await api.balance();
      const pending = await checkout(authCode("11"), 800);
      expect(pending).toMatchObject({ code: 0, data: { orderInfo: { tradeState: "REVOKED" } } });
      expect(sandboxOrder(pending.data.out_trade_no)).toMatchObject({ trade_state: "REVOKED" });
      expect(await api.order(pending.data.out_trade_no)).toMatchObject({ status: "CLOSED" });
      expect(await api.balance()).toBe(before);
    });

    it.each([
      ["NOTENOUGH", "12"],
      ["AUTHCODEEXPIRE", "15"],
    ])("reports %s as a refusal and leaves the order closed, never paid", async (_errCode, prefix) => {
      const before = await api.balance();
      const outTradeNo = `TILLX${prefix}${Date.now()}`;
      const refused = await api.shop("create", {
        data: { out_trade_no: outTradeNo, total_fee: 300, subject: "门店收银", type: "recharge", user_id: "u1", auth_code: authCode(prefix) },
      });
      expect(refused.code).not.toBe(0);
      expect(refused.msg).toMatch(/付款码支付失败/);
      expect(sandboxOrder(outTradeNo)).toMatchObject({ trade_state: "PAYERROR" });
      // The code paid nothing and can never pay this number: a query (or the timer) closes it.
      expect(await api.shop("query", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "CLOSED", orderPaid: false } });
      expect(await api.order(outTradeNo)).toMatchObject({ status: "CLOSED" });
      expect(await api.balance()).toBe(before);
    });

    it("refunds a pay-code payment over mutual TLS", async () => {
      const paid = await checkout(authCode("13"), 600);
      const outTradeNo = paid.data.out_trade_no as string;
      await settleHooks(outTradeNo);
      const before = await api.balance();
      const refund = await api.shop("refund", { out_trade_no: outTradeNo, refund_fee: 600 });
      expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING", refund_fee: 600 } });
      // A pay-code trade has no notify_url at WeChat; the refund names ours, so its result still arrives.
      await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
      await env.wxpay.idle();
      expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 600 });
      expect(await api.balance()).toBe(before - 600);
    });
  });
});
