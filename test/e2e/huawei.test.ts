import { createPublicKey, constants, verify } from "node:crypto";
import { paymentCallback, signCallback, startHuaweiSpace, type HuaweiSpace } from "./helpers/huawei";

/**
 * Huawei Payment Kit end to end: the built vk-pay in the emulator, called as a HarmonyOS app and as an
 * atomic service, over real HTTP to the Huawei sandbox, callbacks back to the notify URL.
 */
let s: HuaweiSpace;
beforeAll(async () => {
  s = await startHuaweiSpace();
}, 60_000);
afterAll(() => s?.close());

/** The orderStr's own signature, checked the way the HarmonyOS SDK's server side would: PSS, salt 32, over the sorted fields. */
function orderStrVerifies(orderStr: string, merchantPublicKeyPem: string): boolean {
  const { sign, ...fields } = JSON.parse(orderStr) as Record<string, string>;
  const content = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("&");
  return verify(
    "sha256",
    Buffer.from(content),
    { key: createPublicKey(merchantPublicKeyPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    Buffer.from(sign!, "base64"),
  );
}

const balance = async () => ((await s.db.collection("uni-id-users").doc("u1").get()).data[0]?.balance ?? 0) as number;

describe("Huawei Payment Kit through the emulator and the sandbox", () => {
  for (const [platform, mode, kind] of [
    ["app-harmony", "app-plus", "app"],
    ["mp-harmony", "mp-harmony", "fa"],
  ] as const) {
    it(`pays a ${platform} order: preorder /${kind}, a signed orderStr for the client, the callback credits once`, async () => {
      const start = await balance();
      const created = await s.client("pay/createPayment", { provider: "huawei", type: "recharge", total_fee: 1800, biz_type: "recharge" }, platform);
      expect(created).toMatchObject({ code: 0, data: { pay_type: `huawei_${mode}`, total_fee: 1800 } });
      const outTradeNo = created.data.out_trade_no as string;
      const orderStr = JSON.parse(created.data.orderInfo as string);
      const trade = s.huawei.state.trade(outTradeNo)!;
      expect(trade).toMatchObject({ kind, totalAmount: 1800, appId: s.huawei.keys.appId, mercNo: s.huawei.keys.mchId, orderStatus: "TRX_APPLY" });
      expect(trade).not.toHaveProperty("bizType");
      expect(orderStr).toMatchObject({ app_id: s.huawei.keys.appId, merc_no: s.huawei.keys.mchId, auth_id: s.huawei.keys.authId, prepay_id: trade.prepayId });
      expect(String(orderStr.timestamp)).toMatch(/^\d{13}$/);
      expect(orderStrVerifies(created.data.orderInfo, s.huawei.keys.merchantPublicKeyPem)).toBe(true);

      expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo }, platform)).toMatchObject({ code: 0, data: { trade_state: "NOTPAY" } });
      expect((await s.control("pay", { out_trade_no: outTradeNo })).ok).toBe(true);
      expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 1, transaction_id: s.huawei.state.trade(outTradeNo)!.sysTransOrderNo });
      expect(await s.outcomes(outTradeNo)).toEqual(["applied"]);
      expect(await balance()).toBe(start + 1800);
      await s.control("redeliver", { out_trade_no: outTradeNo });
      expect(await s.outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);
      expect(await balance()).toBe(start + 1800);
    });
  }

  it("refuses an order without biz_type, writing no order and calling no Huawei API", async () => {
    const reply = await s.client("pay/createPayment", { provider: "huawei", type: "recharge", total_fee: 100, out_trade_no: "HW-NO-BIZ-1" });
    expect(reply).toMatchObject({ code: -1, errCode: "vk-pay-biz-type-missing" });
    expect(reply.msg).toMatch(/biz_type/);
    expect(await s.order("HW-NO-BIZ-1")).toBeUndefined();
    expect(s.huawei.state.trade("HW-NO-BIZ-1")).toBeUndefined();
  });

  it("a failed payment (TRX_FAILED callback) never marks the order paid", async () => {
    const created = await s.client("pay/createPayment", { provider: "huawei", type: "recharge", total_fee: 300, biz_type: "recharge" });
    const outTradeNo = created.data.out_trade_no as string;
    expect((await s.control("fail", { out_trade_no: outTradeNo })).ok).toBe(true);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    expect(await s.outcomes(outTradeNo)).toEqual(["ignored"]);
  });

  it("settles a refund whose callback was lost by querying Huawei's refund number, then refuses a refund callback of another amount", async () => {
    const created = await s.client("pay/createPayment", { provider: "huawei", type: "recharge", total_fee: 2000, biz_type: "recharge" });
    const outTradeNo = created.data.out_trade_no as string;
    await s.control("pay", { out_trade_no: outTradeNo });
    const refund = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 500 });
    expect(refund).toMatchObject({ code: 0, data: { refund_status: "PROCESSING" } });
    const outRefundNo = refund.data.out_refund_no as string;
    const sysRefund = s.huawei.state.refundByMercNo(outRefundNo)!;
    expect(sysRefund).toMatchObject({ refundAmount: 500, mercOrderNo: outTradeNo, refundOrderStatus: "REFUND_CHL_PROC" });
    // Huawei's refund number, kept while the refund processes, is what the refund query names.
    expect((await s.db.collection("vk-pay-refunds").doc(outRefundNo).get()).data[0]).toMatchObject({
      status: "PROCESSING",
      refund_id: sysRefund.sysRefundOrderNo,
    });

    await s.control("drop", { count: 1 });
    await s.control("refund-result", { out_refund_no: outRefundNo });
    await s.control("drop", { count: 0 });
    expect((await s.db.collection("vk-pay-refunds").doc(outRefundNo).get()).data[0]).toMatchObject({ status: "PROCESSING" });
    expect(await s.asAdmin("admin/queryRefund", { out_trade_no: outTradeNo, out_refund_no: outRefundNo })).toMatchObject({
      code: 0,
      data: { refunds: [{ out_refund_no: outRefundNo, status: "SUCCESS" }] },
    });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 500 });

    // A second refund, and a refund callback for it that claims another amount: refused, nothing settles.
    const second = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 700 });
    const secondNo = second.data.out_refund_no as string;
    const forged = signCallback(
      {
        callbackId: "f2eff0509b864125bc3ea5485260851b",
        callbackTime: "2026-12-07 10:00:00",
        dataType: "plain",
        signType: "SM2",
        mercRefundNo: secondNo,
        sysRefundNo: s.huawei.state.refundByMercNo(secondNo)!.sysRefundOrderNo,
        refundAmount: 1500,
        payerRefundAmount: 1500,
        promotionRefundAmount: 0,
        currency: "CNY",
        mercNo: s.huawei.keys.mchId,
        refundOrderStatus: "REFUND_SUCCESS",
      },
      s.huawei.keys.platformPrivateKeyHex,
    );
    const reply = await s.post(outTradeNo, forged);
    expect(reply.status).toBe(400);
    expect((await s.db.collection("vk-pay-refunds").doc(secondNo).get()).data[0]).toMatchObject({ status: "PROCESSING" });
    expect(await s.order(outTradeNo)).toMatchObject({ refund_fee: 500 });
    await s.control("refund-result", { out_refund_no: secondNo });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1200 });
  });

  it("a refund Huawei reports REFUND_FAILED is closed and its amount can be refunded again", async () => {
    const created = await s.client("pay/createPayment", { provider: "huawei", type: "recharge", total_fee: 900, biz_type: "recharge" });
    const outTradeNo = created.data.out_trade_no as string;
    await s.control("pay", { out_trade_no: outTradeNo });
    const refund = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo });
    const outRefundNo = refund.data.out_refund_no as string;
    expect((await s.control("refund-result", { out_refund_no: outRefundNo, status: "CLOSED" })).ok).toBe(true);
    expect(s.huawei.state.refundByMercNo(outRefundNo)).toMatchObject({ refundOrderStatus: "REFUND_FAILED" });
    expect((await s.db.collection("vk-pay-refunds").doc(outRefundNo).get()).data[0]).toMatchObject({ status: "CLOSED" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
    const again = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo });
    expect(again).toMatchObject({ code: 0, data: { refund_fee: 900 } });
    await s.control("refund-result", { out_refund_no: again.data.out_refund_no });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 900 });
  });

  it("answers a genuine callback with exactly Huawei's success body, and a bad one with something else", async () => {
    const created = await s.client("pay/createPayment", { provider: "huawei", type: "recharge", total_fee: 600, biz_type: "recharge" });
    const outTradeNo = created.data.out_trade_no as string;
    const fields = paymentCallback(s.huawei.keys, outTradeNo, 600);
    const tampered = JSON.stringify({ ...JSON.parse(signCallback(fields, s.huawei.keys.platformPrivateKeyHex)), signType: "RSA" });
    const refused = await s.post(outTradeNo, tampered);
    expect(refused.body).not.toBe('{"resultCode":"000000","resultDesc":"Success."}');
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    const accepted = await s.post(outTradeNo, signCallback(fields, s.huawei.keys.platformPrivateKeyHex));
    expect(accepted).toEqual({ status: 200, body: '{"resultCode":"000000","resultDesc":"Success."}' });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
  });
  it("a service provider's order for its sub-merchant goes through /partner/: preorder, callback bound to the sub-merchant, refund", async () => {
    const sub = s.huawei.keys.subMchId;
    const created = await s.partnerOrder({
      out_trade_no: `HWP${Date.now()}`,
      type: "recharge",
      total_fee: 1200,
      subject: "服务商代收",
      biz_type: "recharge",
      user_id: "u1",
      sub_mchid: sub,
    });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "huawei_mp-harmony" } });
    const outTradeNo = created.data.out_trade_no as string;
    expect(s.huawei.state.trade(outTradeNo)).toMatchObject({ mercNo: s.huawei.keys.mchId, subMercNo: sub, kind: "fa" });
    expect(await s.order(outTradeNo)).toMatchObject({ sub_mchid: sub, status: "NOTPAY" });
    // A genuine Huawei signature over a callback naming another sub-merchant does not pay this order.
    const stranger = paymentCallback(s.huawei.keys, outTradeNo, 1200, {
      mercNo: undefined,
      appId: undefined,
      spMercNo: s.huawei.keys.mchId,
      subMercNo: "101723200999",
    });
    expect((await s.post(outTradeNo, signCallback(stranger, s.huawei.keys.platformPrivateKeyHex))).body).not.toContain('"resultCode":"000000"');
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "NOTPAY" } });
    expect((await s.control("pay", { out_trade_no: outTradeNo })).ok).toBe(true);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
    const refund = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 200 });
    expect(refund).toMatchObject({ code: 0 });
    expect(s.huawei.state.refundByMercNo(refund.data.out_refund_no)).toMatchObject({ mercOrderNo: outTradeNo, refundAmount: 200 });
    await s.control("refund-result", { out_refund_no: refund.data.out_refund_no });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 200 });
  });
});
