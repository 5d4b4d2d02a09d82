import { readFileSync } from "node:fs";
import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { startPayingSpace } from "../helpers/paying-space";
import { addShopFunction, BASE, SECAPI, v2PaySignHolds, wxpayClients, writeUniPayConfig, type PayingSpace } from "./helpers/wxpay";

/**
 * Orders that belong to someone other than the config file's merchant, end to end: a service provider
 * (服务商, 1900000100) placing orders for its sub-merchants (1900000201, 1900000202) over v3 and v2, with
 * `sub_mchid` / `sub_appid` given by the developer's cloud function; and a `pid` merchant from a
 * `vk-pay-config` row whose certificates are inline content. Every later call (pay, notification, query,
 * refund, its notification) must reach the same merchant: the sandbox keeps each trade only under the
 * merchant it was placed for, so a call addressed anywhere else finds nothing.
 */

const SP_MCHID = "1900000100";
const SUB_A = { mchId: "1900000201", appId: "wx0000000000000201" };
const SUB_B = { mchId: "1900000202", appId: "wx0000000000000202" };
const PID = "shop-b";
const MOBILE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1";

/** The file config is the service provider's: h5 over v3, mp-weixin over v2 (client certificate: the provider's .p12). */
function partnerConfig(keys: WxpaySandboxKeys) {
  return {
    h5: wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`, { merchant: "partner" }),
    "mp-weixin": wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`, { merchant: "partner", version: 2, secapiBaseUrl: `${SECAPI}/__sandbox/wxpay` }),
  };
}

/**
 * The `pid` merchant's row: the direct merchant 1900000001, every certificate as content (no file paths),
 * its pay-code block on API v3 (micropay still goes over v2 with its key), and an MWEB block on v2 whose
 * client certificate is the .p12 as base64.
 */
function pidRow(keys: WxpaySandboxKeys, baseUrl: string, secapiBaseUrl: string) {
  // A string baseUrl replaces every WeChat host: a database row cannot have host names (dots) as keys.
  const hosts = baseUrl;
  const v3 = {
    version: 3,
    appId: keys.appId,
    mchId: keys.mchId,
    key: keys.key,
    v3Key: keys.v3Key,
    appCertContent: keys.merchantCertPem,
    appPrivateKeyContent: keys.merchantPrivateKeyPem,
    wxpayPublicKeyContent: keys.wxpayPublicKeyPem,
    wxpayPublicKeyId: keys.wxpayPublicKeyId,
    baseUrl: hosts,
  };
  return {
    _id: PID,
    wxpay: {
      h5: v3,
      codepay: { ...v3, codepayPollIntervalMs: 20, codepayMaxWaitMs: 400 },
      mweb: {
        version: 2,
        appId: keys.appId,
        mchId: keys.mchId,
        key: keys.key,
        pfx: readFileSync(keys.pfxPath).toString("base64"),
        secapiCaContent: keys.caCertPem,
        secapiBaseUrl,
        baseUrl: hosts,
        sceneInfo: { h5_info: { type: "Wap", wap_url: "http://127.0.0.1", wap_name: "B 店" } },
      },
    },
  };
}

describe("Sub-merchant and multi-merchant orders end to end", () => {
  let env: PayingSpace;
  let api: Awaited<ReturnType<typeof wxpayClients>>;
  let keys: WxpaySandboxKeys;
  let serial = 0;
  const number = (prefix: string) => `${prefix}${Date.now()}${serial++}`;

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareSpace: addShopFunction,
      prepareDataDir: async (dataDir) => writeUniPayConfig(dataDir, partnerConfig(await loadOrCreateWxpaySandboxKeys(dataDir))),
    });
    keys = env.wxpay.keys;
    api = await wxpayClients(env);
    await env.db.collection("vk-pay-config").add(pidRow(keys, `${env.url}/__sandbox/wxpay`, env.wxpay.secapiBaseUrl!));
  });
  afterAll(() => env.close());

  it("v3: places, pays, notifies, queries and refunds a Native order for sub-merchant 1900000201", async () => {
    const outTradeNo = number("SUBA");
    const created = await api.shop("create", {
      isPC: true,
      data: { out_trade_no: outTradeNo, total_fee: 1500, subject: "子商户订单", type: "recharge", user_id: "u1", sub_mchid: SUB_A.mchId },
    });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_h5", orderInfo: { codeUrl: expect.stringContaining(`mchid=${SUB_A.mchId}`) } } });
    expect(await api.order(outTradeNo)).toMatchObject({ mch_id: SP_MCHID, sub_mchid: SUB_A.mchId, status: "NOTPAY" });
    // Placed on the partner path: the trade lives under the sub-merchant, placed by the provider.
    expect(env.wxpay.state.order(SUB_A.mchId, outTradeNo)).toMatchObject({ sp_mchid: SP_MCHID, sp_appid: keys.partner.appId, trade_type: "NATIVE" });
    expect(env.wxpay.state.order(SP_MCHID, outTradeNo)).toBeUndefined();

    // The notification is lost: only a query on the partner path (sp_mchid + sub_mchid) can find the payment.
    const before = await api.balance();
    await env.control("wxpay", "drop", { count: 1 });
    expect(await env.control("wxpay", "pay", { mchid: SUB_A.mchId, out_trade_no: outTradeNo })).toMatchObject({ ok: true, notification: "dropped" });
    expect(await api.shop("query", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "SUCCESS", orderPaid: true } });
    // WeChat's notification, signed by the platform and sealed with the provider's APIv3 key, then arrives.
    await env.control("wxpay", "redeliver", { mchid: SUB_A.mchId, out_trade_no: outTradeNo });
    await env.wxpay.idle();
    await api.asAdmin("admin/hookRetry", { out_trade_no: outTradeNo });
    expect(await api.balance()).toBe(before + 1500);
    expect((await api.logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["duplicate"]);

    const refund = await api.shop("refund", { out_trade_no: outTradeNo, refund_fee: 500 });
    expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING", refund_fee: 500 } });
    expect(env.wxpay.state.refund(SUB_A.mchId, refund.data.out_refund_no)).toMatchObject({ refund: 500, status: "PROCESSING" });
    // A refund query must name the sub-merchant too, or WeChat has no such refund.
    expect(await api.shop("queryRefund", { out_trade_no: outTradeNo, out_refund_no: refund.data.out_refund_no })).toMatchObject({
      code: 0,
      data: { refunds: [{ status: "PROCESSING" }] },
    });
    await env.control("wxpay", "refund-result", { mchid: SUB_A.mchId, out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 500 });
    expect(await api.balance()).toBe(before + 1000);
    expect((await api.logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["duplicate", "applied"]);
  });

  it("v3: closes a sub-merchant's unpaid order on the partner close path", async () => {
    const outTradeNo = number("SUBC");
    await api.shop("create", {
      isPC: true,
      data: { out_trade_no: outTradeNo, total_fee: 100, subject: "子商户订单", type: "recharge", user_id: "u1", sub_mchid: SUB_A.mchId },
    });
    expect(await api.shop("close", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
    expect(env.wxpay.state.order(SUB_A.mchId, outTradeNo)).toMatchObject({ trade_state: "CLOSED" });
  });

  it("v2: a mini-program order for sub-merchant 1900000202 in its own app (sub_appid, sub_openid), refunded over mutual TLS", async () => {
    const outTradeNo = number("SUBB");
    const created = await api.call(
      "shop",
      {
        action: "create",
        data: {
          out_trade_no: outTradeNo,
          total_fee: 2000,
          subject: "子商户小程序",
          type: "recharge",
          user_id: "u1",
          openid: "o-in-sub-app",
          sub_mchid: SUB_B.mchId,
          sub_appid: SUB_B.appId,
        },
      },
      { platform: "mp-weixin" },
    );
    // The client pays inside the sub-merchant's mini program: its appId, signed with the provider's key.
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_mp-weixin", orderInfo: { appId: SUB_B.appId, signType: "MD5" } } });
    expect(v2PaySignHolds(created.data.orderInfo, keys.partner.key)).toBe(true);
    expect(env.wxpay.state.order(SUB_B.mchId, outTradeNo)).toMatchObject({
      version: 2,
      sp_mchid: SP_MCHID,
      sub_appid: SUB_B.appId,
      sub_openid: "o-in-sub-app",
      trade_type: "JSAPI",
    });

    const before = await api.balance();
    await env.control("wxpay", "drop", { count: 1 });
    await env.control("wxpay", "pay", { mchid: SUB_B.mchId, out_trade_no: outTradeNo });
    // orderquery without sub_mch_id is refused by a service provider's account: this SUCCESS came with it.
    expect(await api.shop("query", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "SUCCESS" } });
    await env.control("wxpay", "redeliver", { mchid: SUB_B.mchId, out_trade_no: outTradeNo });
    await env.wxpay.idle();
    await api.asAdmin("admin/hookRetry", { out_trade_no: outTradeNo });
    expect(await api.balance()).toBe(before + 2000);

    const refund = await api.shop("refund", { out_trade_no: outTradeNo, refund_fee: 2000 });
    expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING" } });
    expect(env.wxpay.state.refund(SUB_B.mchId, refund.data.out_refund_no)).toMatchObject({ version: 2, refund: 2000 });
    await env.control("wxpay", "refund-result", { mchid: SUB_B.mchId, out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 2000 });
    expect(await api.balance()).toBe(before);
    expect((await api.logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["duplicate", "applied"]);
  });

  it("pid: an order of the row's merchant (inline certificates) is paid, queried and refunded with that merchant", async () => {
    const outTradeNo = number("PIDB");
    const created = await api.shop("create", {
      isPC: true,
      data: { pid: PID, out_trade_no: outTradeNo, total_fee: 1200, subject: "B 店订单", type: "recharge", user_id: "u1" },
    });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_h5" } });
    const stored = await api.order(outTradeNo);
    expect(stored).toMatchObject({ pid: PID, mch_id: keys.mchId, notify_path: expect.stringMatching(new RegExp(`/pid/${PID}$`)) });
    expect(env.wxpay.state.order(keys.mchId, outTradeNo)).toMatchObject({ total: 1200 });

    // Queried with the file's merchant (the provider) this order does not exist; with the row's it is paid.
    const before = await api.balance();
    await env.control("wxpay", "drop", { count: 1 });
    await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
    expect(await api.shop("query", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "SUCCESS" } });
    // The notification to /pid/shop-b is verified with the row's public key.
    await env.control("wxpay", "redeliver", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    expect((await api.logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["duplicate"]);
    await api.asAdmin("admin/hookRetry", { out_trade_no: outTradeNo });
    expect(await api.balance()).toBe(before + 1200);

    const refund = await api.shop("refund", { out_trade_no: outTradeNo, refund_fee: 1200 });
    expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING" } });
    expect(env.wxpay.state.refund(keys.mchId, refund.data.out_refund_no)).toMatchObject({ refund: 1200 });
    await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1200 });
    expect(await api.balance()).toBe(before);
  });

  it("pid: a v3-configured merchant's pay-code checkout pays over v3 codepay and refunds over v3", async () => {
    const outTradeNo = number("PIDC");
    const paid = await api.shop("create", {
      data: {
        pid: PID,
        out_trade_no: outTradeNo,
        total_fee: 300,
        subject: "B 店收银",
        type: "recharge",
        user_id: "u1",
        auth_code: "134567890123456789",
        store_id: "B-01",
      },
    });
    expect(paid).toMatchObject({ code: 0, data: { pay_type: "wxpay_codepay", orderInfo: { tradeState: "SUCCESS" } } });
    expect(env.wxpay.state.order(keys.mchId, outTradeNo)).toMatchObject({ trade_type: "MICROPAY", trade_state: "SUCCESS" });
    expect(env.wxpay.state.order(keys.mchId, outTradeNo)!.version).toBeUndefined();
    expect(await api.order(outTradeNo)).toMatchObject({ pid: PID, status: "SUCCESS" });
    const refund = await api.shop("refund", { out_trade_no: outTradeNo, refund_fee: 300 });
    expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING" } });
    // Placed over v3, like the trade (no `version: 2`).
    expect(env.wxpay.state.refund(keys.mchId, refund.data.out_refund_no)).toMatchObject({ refund: 300 });
    expect(env.wxpay.state.refund(keys.mchId, refund.data.out_refund_no)!.version).toBeUndefined();
    await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 300 });
  });

  it("pid: a v2 MWEB order refunds over mutual TLS with the row's base64 .p12", async () => {
    const outTradeNo = number("PIDM");
    const created = await api.call(
      "shop",
      { action: "create", data: { pid: PID, out_trade_no: outTradeNo, total_fee: 450, subject: "B 店 H5", type: "recharge", user_id: "u1" } },
      { userAgent: MOBILE_SAFARI },
    );
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_mweb", orderInfo: { mwebUrl: expect.any(String) } } });
    expect(env.wxpay.state.order(keys.mchId, outTradeNo)).toMatchObject({ version: 2, trade_type: "MWEB" });
    await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    expect((await api.logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["applied"]);
    const refund = await api.shop("refund", { out_trade_no: outTradeNo, refund_fee: 450 });
    expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING" } });
    expect(env.wxpay.state.refund(keys.mchId, refund.data.out_refund_no)).toMatchObject({ version: 2, refund: 450 });
    await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 450 });
  });
});
