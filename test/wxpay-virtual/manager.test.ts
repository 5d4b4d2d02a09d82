// The built-in providers register themselves, as the library's entry point does.
import "../../common/vk-uni-pay/src/providers";
import { callManager, managerGetters } from "../../common/vk-uni-pay/src/api/provider-managers";
import { OPENID, SESSION_KEY, startXpaySession } from "./sandbox-session";

/**
 * The coin wallet manager of vk-pay.md §1.8 against the xpay sandbox over real HTTP: the sandbox checks
 * pay_sig on every call and the user's signature on the three user-state calls, and keeps the wallet, so a
 * second deduction would show in its balance.
 */
describe("getWxpayVirtualManager against the xpay sandbox (real HTTP)", () => {
  let s: Awaited<ReturnType<typeof startXpaySession>>;
  const manage = (method: string, params: Record<string, unknown>) => callManager("getWxpayVirtualManager", method, params, s.deps) as Promise<any>;
  const wallet = () => s.mounted.sandbox.state.wallet(0, OPENID);
  const ledger = async (orderId: string) =>
    (await s.deps.db.collection("vk-pay-xpay-coin-orders").where({ order_id: orderId }).get()).data as Array<Record<string, unknown>>;
  beforeAll(async () => {
    s = await startXpaySession();
  }, 30_000);
  afterAll(() => s?.close());

  it("is the manual's getter, whose methods answer the library's envelope", async () => {
    const getters = managerGetters(new Set(), () => s.deps);
    const manager = await getters.getWxpayVirtualManager!();
    expect(Object.keys(manager).sort()).toEqual(["cancelCurrencyPay", "currencyPay", "notifyProvideGoods", "presentCurrency", "queryUserBalance"]);
    expect(await manager.queryUserBalance!({ openid: OPENID, userIp: "127.0.0.1" })).toMatchObject({
      code: 0,
      data: { balance: 0, presentBalance: 0, sumSave: 0, sumCost: 0, firstSaveFlag: true },
    });
    expect(await manage("nope", {})).toMatchObject({ code: -1, errCode: "vk-pay-manager-method-unknown" });
  });

  it("is exported by the manual's name on the plain and the hook-bound library, never shadowing an export", () => {
    const library = require("../../common/vk-uni-pay/src/index") as Record<string, any>;
    expect(typeof library.getWxpayVirtualManager).toBe("function");
    expect(typeof library.withHooks(() => undefined).getWxpayVirtualManager).toBe("function");
    expect(managerGetters(new Set(["getWxpayVirtualManager"]))).toEqual({});
  });

  it("presents coins once per order id (pay_sig only: no session is needed)", async () => {
    await s.deps.db.collection("vk-pay-wx-sessions").doc(`${s.keys.appId}:${OPENID}`).remove();
    try {
      const gift = { openid: OPENID, amount: 500, outTradeNo: "XPGIFT000000000001" };
      expect(await manage("presentCurrency", gift)).toMatchObject({
        code: 0,
        data: { balance: 500, presentBalance: 500, outTradeNo: gift.outTradeNo, applied: true },
      });
      expect(await manage("presentCurrency", gift)).toMatchObject({ code: 0, data: { balance: 500, applied: false } });
      expect(wallet()).toMatchObject({ balance: 500, present_balance: 500, sum_present: 500 });
      // The same number for another amount is another operation: refused, nothing sent.
      expect(await manage("presentCurrency", { ...gift, amount: 1 })).toMatchObject({ code: -1, errCode: "vk-pay-wxpay-virtual-order-reused" });
      expect(wallet()).toMatchObject({ balance: 500 });
    } finally {
      await s.deps.db
        .collection("vk-pay-wx-sessions")
        .doc(`${s.keys.appId}:${OPENID}`)
        .set({ appid: s.keys.appId, openid: OPENID, session_key: SESSION_KEY, update_date: Date.now() });
    }
  });

  it("spends coins exactly once per order id, answering a retry with the first result", async () => {
    const spend = {
      openid: OPENID,
      userIp: "127.0.0.1",
      amount: 200,
      outTradeNo: "XPSPEND00000000001",
      payitem: '[{"productid":"ep1","unit_price":200,"quantity":1}]',
      remark: "解锁",
    };
    const first = await manage("currencyPay", spend);
    expect(first).toMatchObject({ code: 0, data: { balance: 300, usedPresentAmount: 200, outTradeNo: spend.outTradeNo, applied: true } });
    expect(await manage("currencyPay", spend)).toEqual({ ...first, data: { ...first.data, applied: false } });
    expect(wallet()).toMatchObject({ balance: 300, sum_cost: 200 });
    expect(await ledger(spend.outTradeNo)).toEqual([expect.objectContaining({ kind: "pay", status: "SUCCESS", amount: 200 })]);
    expect(await manage("currencyPay", { ...spend, amount: 201 })).toMatchObject({ errCode: "vk-pay-wxpay-virtual-order-reused" });
    expect(JSON.stringify(first)).not.toContain(SESSION_KEY);
  });

  it("spends once when the first answer was lost, and frees the number of a refused spend", async () => {
    const spend = { openid: OPENID, userIp: "127.0.0.1", amount: 100, outTradeNo: "XPSPEND00000000002" };
    const request = s.deps.runtime.request;
    s.deps.runtime.request = async (url, options) => {
      const answer = await request(url, options);
      if (url.includes("/xpay/currency_pay")) throw new Error("connection reset after WeChat applied it");
      return answer;
    };
    try {
      expect(await manage("currencyPay", spend)).toMatchObject({ code: 3002 });
    } finally {
      s.deps.runtime.request = request;
    }
    expect(await ledger(spend.outTradeNo)).toEqual([expect.objectContaining({ status: "PENDING" })]);
    expect(wallet()).toMatchObject({ balance: 200 });
    // The retry sends the same order id; xpay answers 268490004 and nothing more is taken.
    expect(await manage("currencyPay", spend)).toMatchObject({ code: 0, data: { balance: 200, applied: false } });
    expect(wallet()).toMatchObject({ balance: 200, sum_cost: 300 });
    expect(await ledger(spend.outTradeNo)).toEqual([expect.objectContaining({ status: "SUCCESS" })]);

    const tooMuch = { openid: OPENID, userIp: "127.0.0.1", amount: 10_000, outTradeNo: "XPSPEND00000000003" };
    expect(await manage("currencyPay", tooMuch)).toMatchObject({ code: 3001 });
    expect(await ledger(tooMuch.outTradeNo)).toEqual([]);
  });

  it("cancels a spend once, never for more than was spent nor for another user", async () => {
    const cancel = { openid: OPENID, userIp: "127.0.0.1", amount: 200, outTradeNo: "XPSPEND00000000001", outRefundNo: "XPCANCEL0000000001" };
    expect(await manage("cancelCurrencyPay", { ...cancel, amount: 201, outRefundNo: "XPCANCEL0000000009" })).toMatchObject({
      errCode: "vk-pay-wxpay-virtual-cancel-mismatch",
    });
    expect(await manage("cancelCurrencyPay", cancel)).toMatchObject({ code: 0, data: { outRefundNo: cancel.outRefundNo, applied: true } });
    expect(await manage("cancelCurrencyPay", cancel)).toMatchObject({ code: 0, data: { applied: false } });
    expect(wallet()).toMatchObject({ balance: 400 });
  });

  it("is refused by xpay when the user's signature is wrong, and asks for a new login without a session", async () => {
    const params = { openid: OPENID, userIp: "127.0.0.1" };
    expect(await manage("queryUserBalance", { ...params, sessionKey: "bm90IHRoZSBzZXNzaW9uIGtleQ==" })).toMatchObject({
      code: 3001,
      msg: expect.stringContaining("签名"),
    });
    expect(await manage("queryUserBalance", { openid: "oSomeoneWhoNeverLoggedIn0001", userIp: "127.0.0.1" })).toMatchObject({
      errCode: "vk-pay-wxpay-virtual-session-missing",
    });
    expect(await manage("currencyPay", { ...params, amount: 1, outTradeNo: "_starts-with-underscore" })).toMatchObject({
      errCode: "vk-pay-outTradeNo-invalid",
    });
    expect(await manage("currencyPay", { ...params, amount: 1.5, outTradeNo: "XPSPEND00000000004" })).toMatchObject({ code: 1008 });
  });

  it("tells xpay a cash order's goods were delivered (notify_provide_goods)", async () => {
    const created = await s.create("XPGOODS00000000099", { mode: "short_series_goods", product_id: "drama-episode", buy_quantity: 1 });
    expect(created).toMatchObject({ code: 0 });
    expect(await s.requestPayment(created.data.orderInfo)).toMatchObject({ status: 200 });
    s.mounted.sandbox.state.putOrder({ ...s.mounted.sandbox.state.order("XPGOODS00000000099")!, status: 2, paid_time: 1 });
    expect(await manage("notifyProvideGoods", { outTradeNo: "XPGOODS00000000099" })).toMatchObject({ code: 0, data: { outTradeNo: "XPGOODS00000000099" } });
    expect(s.mounted.sandbox.state.order("XPGOODS00000000099")).toMatchObject({ status: 4 });
  });
});
