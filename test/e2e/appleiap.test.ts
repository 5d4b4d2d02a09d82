import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/**
 * Apple in-app purchase end to end over real HTTP: the built vk-pay in the emulator with the config npm start
 * generates, the app's purchases made in the Apple sandbox (StoreKit 2 signed transactions and StoreKit 1
 * receipts), verified through pay/appleiap/verifyReceipt and the sandbox's Server API, and Apple's REFUND
 * notification arriving at /vk-pay-notify/appleiap_app-plus.
 */
describe("Apple in-app purchase end to end", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let client: (url: string, data: Record<string, unknown>) => Promise<any>;

  beforeAll(async () => {
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add([{ _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 }]);
    const user = await mintToken(TEST_SECRET, { uid: "u1" });
    client = async (url, data) => {
      const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ event: { url, data, uniIdToken: user }, clientInfo: { PLATFORM: "app-plus", APPID: "__UNI__TEST" } }),
      });
      return ((await response.json()) as { result: any }).result;
    };
  }, 60_000);
  afterAll(() => env?.close());

  const apple = (action: string, body: Record<string, unknown>) => env.control("appleiap", action, body);
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const balance = async () => (await client("user/getInfo", {})).data.balance as number;

  it("a recharge: priced by the product, paid with a StoreKit 2 signed transaction once, refunded in part by Apple's notification", async () => {
    const created = await client("pay/createPayment", { provider: "appleiap", type: "recharge", total_fee: 3000, item: { product_id: "coins_300" } });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "appleiap_app-plus", total_fee: 3000, orderInfo: { productId: "coins_300", quantity: 1 } } });
    const { out_trade_no: outTradeNo, orderInfo } = created.data;
    const bought = await apple("pay", { productId: "coins_300", appAccountToken: orderInfo.appAccountToken });
    expect(bought).toMatchObject({ ok: true, transaction_id: expect.any(String) });

    const verified = await client("pay/appleiap/verifyReceipt", { out_trade_no: outTradeNo, signed_transaction: bought.signed_transaction });
    expect(verified).toMatchObject({ code: 0, data: { status: "SUCCESS", applied: true, transaction_id: bought.transaction_id } });
    expect(await balance()).toBe(3000);
    // The app sends it again (a retry after a lost answer): nothing more is credited.
    expect(await client("pay/appleiap/verifyReceipt", { out_trade_no: outTradeNo, signed_transaction: bought.signed_transaction })).toMatchObject({
      code: 0,
      data: { applied: false },
    });
    expect(await balance()).toBe(3000);
    expect(await order(outTradeNo)).toMatchObject({
      status: "SUCCESS",
      user_order_success: true,
      notify_info: { source: "server-api", price: 30000, currency: "CNY" },
    });

    // Apple grants the buyer's refund request for half: REFUND reaches vk-pay, the order and the balance follow once.
    expect(await apple("refund", { transactionId: bought.transaction_id, percentage: 50000 })).toMatchObject({ ok: true, reply_status: 200 });
    expect(await apple("redeliver", {})).toMatchObject({ ok: true, reply_status: 200 });
    expect(await order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1500 });
    expect(await balance()).toBe(1500);

    // Apple reverses that refund: the order is paid in full again and the balance is credited back, once.
    expect(await apple("notify", { notificationType: "REFUND_REVERSED", transactionId: bought.transaction_id })).toMatchObject({ ok: true, reply_status: 200 });
    expect(await apple("redeliver", {})).toMatchObject({ ok: true, reply_status: 200 });
    expect(await order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_fee: 0, refund_list: [] });
    expect(await balance()).toBe(3000);
  });

  it("a REFUND that reaches vk-pay before the app proved the purchase: the Server API shows the revocation, so the late proof pays nothing", async () => {
    const created = await client("pay/createPayment", { provider: "appleiap", type: "recharge", total_fee: 600, item: { product_id: "coins_60" } });
    const bought = await apple("pay", { productId: "coins_60", appAccountToken: created.data.orderInfo.appAccountToken });
    const before = await balance();
    expect(await apple("refund", { transactionId: bought.transaction_id })).toMatchObject({ ok: true, reply_status: 200 });
    expect(await order(created.data.out_trade_no)).toMatchObject({ status: "NOTPAY" });
    // Get Transaction Info now shows the revocation, so the purchase is refused and nothing is credited (without a
    // Server API key the recorded REFUND settles on the order instead: test/appleiap/notifications.test.ts).
    expect(
      await client("pay/appleiap/verifyReceipt", { out_trade_no: created.data.out_trade_no, signed_transaction: bought.signed_transaction }),
    ).toMatchObject({
      code: 1016,
    });
    expect(await balance()).toBe(before);
  });

  it("a VIP month paid with a StoreKit 1 sandbox receipt: production answers 21007, the sandbox verifies it", async () => {
    const created = await client("pay/createPayment", { provider: "appleiap", type: "vip", custom: { vip_type: "month" }, item: { product_id: "vip_month" } });
    expect(created).toMatchObject({ msg: "success", code: 0, data: { total_fee: 3000 } });
    const bought = await apple("pay", { productId: "vip_month", appAccountToken: created.data.orderInfo.appAccountToken, type: "Auto-Renewable Subscription" });
    const verified = await client("pay/appleiap/verifyReceipt", {
      out_trade_no: created.data.out_trade_no,
      transaction_receipt: bought.receipt,
      transaction_identifier: bought.transaction_id,
    });
    expect(verified).toMatchObject({ code: 0, data: { status: "SUCCESS", applied: true } });
    expect((await client("user/getInfo", {})).data.vip_expire_date).toBeGreaterThan(Date.now());
    expect(await order(created.data.out_trade_no)).toMatchObject({ notify_info: { source: "receipt", environment: "Sandbox" } });
  });

  it("a StoreKit 1 consumable the app already finished (gone from its receipt) is found in the customer's history (v2)", async () => {
    const created = await client("pay/createPayment", { provider: "appleiap", type: "recharge", total_fee: 600, item: { product_id: "coins_60" } });
    const bought = await apple("pay", { productId: "coins_60", appAccountToken: created.data.orderInfo.appAccountToken });
    expect(await apple("finish", { transactionId: bought.transaction_id })).toMatchObject({ ok: true });
    const before = await balance();
    const verified = await client("pay/appleiap/verifyReceipt", {
      out_trade_no: created.data.out_trade_no,
      transaction_receipt: bought.receipt,
      transaction_identifier: bought.transaction_id,
    });
    expect(verified).toMatchObject({ code: 0, data: { status: "SUCCESS", applied: true, transaction_id: bought.transaction_id } });
    expect(await order(created.data.out_trade_no)).toMatchObject({ notify_info: { source: "history", environment: "Sandbox" } });
    expect(await balance()).toBe(before + 600);
    // An id neither the receipt nor the history knows is still refused.
    const other = await client("pay/createPayment", { provider: "appleiap", type: "recharge", total_fee: 600, item: { product_id: "coins_60" } });
    expect(
      await client("pay/appleiap/verifyReceipt", {
        out_trade_no: other.data.out_trade_no,
        transaction_receipt: bought.receipt,
        transaction_identifier: "1999",
      }),
    ).toMatchObject({ code: 1016 });
  });

  it("a family-shared purchase, and a transaction already used by another order, pay nothing", async () => {
    const one = await client("pay/createPayment", { provider: "appleiap", type: "recharge", total_fee: 600, item: { product_id: "coins_60" } });
    const shared = await apple("pay", { productId: "coins_60", appAccountToken: one.data.orderInfo.appAccountToken, familyShared: true });
    expect(await client("pay/appleiap/verifyReceipt", { out_trade_no: one.data.out_trade_no, signed_transaction: shared.signed_transaction })).toMatchObject({
      code: 1016,
    });
    expect(await order(one.data.out_trade_no)).toMatchObject({ status: "NOTPAY" });
    const before = await balance();
    const two = await client("pay/createPayment", { provider: "appleiap", type: "recharge", total_fee: 600, item: { product_id: "coins_60" } });
    const paid = await apple("pay", { productId: "coins_60", appAccountToken: two.data.orderInfo.appAccountToken });
    expect(await client("pay/appleiap/verifyReceipt", { signed_transaction: paid.signed_transaction })).toMatchObject({
      code: 0,
      data: { out_trade_no: two.data.out_trade_no },
    });
    expect(await client("pay/appleiap/verifyReceipt", { out_trade_no: one.data.out_trade_no, signed_transaction: paid.signed_transaction })).toMatchObject({
      code: 1016,
    });
    expect(await balance()).toBe(before + 600);
  });
});
