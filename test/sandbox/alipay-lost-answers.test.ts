/**
 * The Alipay sandbox's `drop-response` fault: the gateway carries out the call, then closes the
 * connection without an answer. alipay.fund.trans.uni.transfer sent again under the same out_biz_no is
 * the same transfer (counted, never paid twice); other methods' answers still arrive.
 */
import { startAlipayHarness, type AlipayHarness } from "./helpers/alipay-harness";

describe("Alipay sandbox: lost answers", () => {
  let h: AlipayHarness;
  let serial = 0;
  const bizNo = () => `SL${Date.now()}${++serial}`;
  const transfer = (outBizNo: string, fen = "1.50") => ({
    out_biz_no: outBizNo,
    trans_amount: fen,
    product_code: "TRANS_ACCOUNT_NO_PWD",
    biz_scene: "DIRECT_TRANSFER",
    order_title: "奖励",
    payee_info: { identity: "2088000000000005", identity_type: "ALIPAY_USER_ID" },
  });
  beforeAll(async () => {
    h = await startAlipayHarness({ persist: false });
  });
  afterAll(() => h.close());

  it("makes the transfer and loses the answer; the same out_biz_no again answers the same transfer", async () => {
    const outBizNo = bizNo();
    expect((await h.control("drop-response", { count: 1, method: "alipay.fund.trans.uni.transfer" })).json).toEqual({ ok: true, pending_lost_answers: 1 });
    // Another method is not what was armed: its answer arrives.
    expect((await h.call(h.certApp, "alipay.trade.query", { out_trade_no: "no-such-trade" })).status).toBe(200);
    await expect(h.call(h.certApp, "alipay.fund.trans.uni.transfer", transfer(outBizNo))).rejects.toThrow();
    const made = (await h.control("transfer-requests", { out_biz_no: outBizNo })).json;
    expect(made).toMatchObject({ ok: true, requests: 1, trans_fen: 150 });
    const again = await h.call(h.certApp, "alipay.fund.trans.uni.transfer", transfer(outBizNo));
    expect(again.response).toMatchObject({ code: "10000", status: "SUCCESS", out_biz_no: outBizNo, order_id: made.order_id });
    expect((await h.control("transfer-requests", { out_biz_no: outBizNo })).json).toMatchObject({ requests: 2, order_id: made.order_id });
    // Other terms under the number are refused, not paid.
    expect((await h.call(h.certApp, "alipay.fund.trans.uni.transfer", transfer(outBizNo, "1.51"))).response).toMatchObject({ sub_code: "ORDER_ALREADY_EXIST" });
    expect((await h.control("transfer-requests", { out_biz_no: bizNo() })).status).toBe(404);
    expect((await h.control("drop-response", { count: -1 })).status).toBe(400);
  });
});
