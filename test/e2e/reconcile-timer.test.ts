import { startPayingSpace } from "../helpers/paying-space";
import { wxpayClients } from "./helpers/wxpay";

/**
 * The timer's reconciliation end to end (issue 20 item 5): the built vk-pay's timer trigger in the emulator,
 * against the WeChat Pay sandbox over HTTP. A payment whose notification the sandbox dropped becomes a paid
 * order with its hook run once; an unpaid order past its expiry is closed at WeChat and here; each run is
 * recorded. Ages are moved by backdating the stored order, the library's only clock for them.
 */
describe("the vk-pay timer against the WeChat Pay sandbox", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let api: Awaited<ReturnType<typeof wxpayClients>>;
  beforeAll(async () => {
    env = await startPayingSpace();
    api = await wxpayClients(env);
  }, 60_000);
  afterAll(() => env?.close());

  const create = async (totalFee: number) => {
    const created = await api.client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: totalFee, isPC: true });
    expect(created).toMatchObject({ code: 0 });
    return created.data.out_trade_no as string;
  };
  const backdate = async (outTradeNo: string, ms: number) => {
    const order = await api.order(outTradeNo);
    await env.db
      .collection("vk-pay-orders")
      .doc(order._id)
      .update({ create_date: order.create_date - ms });
  };
  const tick = async () => {
    const run = await env.emulator.runTimer("vk-pay");
    if (run.status !== "done") throw new Error(`timer run ${run.status}: ${JSON.stringify(run)}`);
    expect(run.result).toMatchObject({ code: 0 });
    return (run.result as { data: Record<string, unknown> }).data;
  };
  const runs = async () => (await env.db.collection("vk-pay-task-log").where({ task: "reconcile" }).count()).total;

  it("pays an order whose notification was lost, once, and records each run", async () => {
    const start = await api.balance();
    const outTradeNo = await create(1500);
    expect(await env.control("wxpay", "drop", { count: 1 })).toMatchObject({ ok: true });
    expect(await env.control("wxpay", "pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true, trade_state: "SUCCESS" });
    await env.wxpay.idle();
    await env.control("wxpay", "drop", { count: 0 });
    expect(await api.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });

    // Younger than a minute, the order is left to its notification.
    const before = await runs();
    expect(await tick()).toMatchObject({ queried: 0 });
    expect(await api.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });

    await backdate(outTradeNo, 5 * 60_000);
    expect(await tick()).toMatchObject({ queried: 1, errors: [] });
    expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 0, user_order_success: true });
    expect(await api.balance()).toBe(start + 1500);

    await tick();
    expect(await api.balance()).toBe(start + 1500);
    expect((await env.db.collection("vk-pay-balance-log").where({ out_trade_no: outTradeNo }).get()).data).toHaveLength(1);
    expect(await runs()).toBe(before + 3);
  });

  it("closes an unpaid order past its expiry at WeChat and here; the buyer can no longer pay it", async () => {
    const outTradeNo = await create(800);
    await backdate(outTradeNo, 25 * 3600_000);
    expect(await tick()).toMatchObject({ closed: 1, errors: [] });
    expect(await api.order(outTradeNo)).toMatchObject({ status: "CLOSED" });
    expect(env.wxpay.state.order(env.wxpay.keys.mchId, outTradeNo)).toMatchObject({ trade_state: "CLOSED" });
    expect(await env.control("wxpay", "pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: false });
  });
});
