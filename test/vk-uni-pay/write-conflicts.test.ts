import { inTransaction, isWriteConflict, TRANSACTION_RUNS, type Database } from "../../common/vk-uni-pay/src/core/database";
import { runPaidHook, type OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findOrder, markPaid, openOrder, type Order } from "../../common/vk-uni-pay/src/core/orders";
import { reserveRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { settlePayment } from "../../common/vk-uni-pay/src/core/settle-payment";
import { faultPlanFrom } from "../../scripts/uni-cloud-mock/src/faults/plan";
import { memoryDatabase } from "../helpers/deps";

/**
 * The library under MongoDB's WriteConflict (the emulator's overlap mode): two transactions of one
 * instance that write one document, the later one aborted with nothing kept. Each must end as if they
 * had run one after the other: no lost credit, no hook marked failed for the database's doing.
 */
describe("transactions that overlap on a document", () => {
  let memory: ReturnType<typeof memoryDatabase>;
  let db: Database;
  const quiet = () => undefined;
  /** The recharge hook's shape: read the balance, write it back plus the credit, in the hook transaction. */
  const credit: OrderTypeHooks = {
    async paid({ order, db: transaction }) {
      const users = transaction.collection("uni-id-users");
      const user = (await users.doc(order.user_id!).get()).data as unknown as { balance: number };
      await users.doc(order.user_id!).update({ balance: user.balance + order.total_fee });
    },
  };
  const balance = async () => ((await db.collection("uni-id-users").doc("u1").get()).data as unknown as Array<{ balance: number }>)[0]!.balance;
  const paidOrder = async (outTradeNo: string, paid = true): Promise<Order> => {
    const order = await openOrder(
      {
        out_trade_no: outTradeNo,
        type: "recharge",
        provider: "wxpay",
        pay_type: "wxpay_h5",
        total_fee: 500,
        description: "充值",
        user_id: "u1",
        notify_url: "http://x",
        notify_path: "/vk-pay-notify/wxpay_h5",
      },
      1000,
      db,
    );
    if (paid) await markPaid(order, { paidAt: 2000, notifyMode: 1 }, 2000, db);
    return order;
  };

  beforeEach(async () => {
    memory = memoryDatabase(faultPlanFrom({ UNICLOUD_WRITE_CONFLICTS: "overlap" }));
    db = memory.db;
    await db.collection("uni-id-users").add({ _id: "u1", balance: 0 });
  });
  afterEach(() => memory.close());

  it("runs the hooks of two orders of one user at once: both credited, neither recorded as failed", async () => {
    const orders = await Promise.all([paidOrder("T1"), paidOrder("T2"), paidOrder("T3")]);
    const outcomes = await Promise.all(orders.map((order) => runPaidHook(order._id, () => credit, { now: 3000, db, log: quiet })));
    expect(outcomes).toEqual(["done", "done", "done"]);
    expect(await balance()).toBe(1500);
    for (const order of orders) expect(await findOrder(order.out_trade_no, db)).toMatchObject({ user_order_success: true, hook_error: "" });
  });

  it("settles two notified payments of one user at once, each with its hook in the payment's transaction", async () => {
    const orders = await Promise.all([paidOrder("T1", false), paidOrder("T2", false)]);
    const settled = await Promise.all(
      orders.map((order) => settlePayment(order, { paidAt: 2000, notifyMode: 1 }, { db, now: 3000, log: quiet, hooks: () => credit })),
    );
    expect(settled).toEqual([
      { applied: true, hook: "done" },
      { applied: true, hook: "done" },
    ]);
    expect(await balance()).toBe(1000);
  });

  it("reserves two refunds of one order at once, both under the ceiling, with different numbers", async () => {
    const order = await paidOrder("T1");
    const reserved = await Promise.all([1, 2].map(() => reserveRefund(order._id, { refundFee: 200, desc: "" }, 4000, db)));
    expect(reserved.map((item) => item.record.out_refund_no).sort()).toEqual(["T1-1", "T1-2"]);
    expect(await findOrder("T1", db)).toMatchObject({ refund_reserved: 400, refund_num: 2 });
  });

  it("gives up after a few runs, with the conflict for the caller's failure path", async () => {
    let runs = 0;
    const alwaysLoses = inTransaction(db, async () => {
      runs += 1;
      throw Object.assign(new Error("WriteConflict error: this operation conflicted with another operation."), { errCode: "WRITE_CONFLICT" });
    });
    expect(isWriteConflict(await alwaysLoses.catch((error: unknown) => error))).toBe(true);
    expect(runs).toBe(TRANSACTION_RUNS);
  });
});
