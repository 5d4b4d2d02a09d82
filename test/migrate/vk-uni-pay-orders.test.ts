import "../../common/vk-uni-pay/src/providers";
import exported from "../fixtures/vk-uni-pay-export.json";
import { migrateLegacyOrders } from "../../common/vk-uni-pay/src/api/migrate-legacy";
import { queryPayment } from "../../common/vk-uni-pay/src/api/query-payment";
import { closeOrder } from "../../common/vk-uni-pay/src/api/close-order";
import { COLLECTIONS } from "../../common/vk-uni-pay/src/core/repository";
import { reserveRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { makeDeps } from "../helpers/deps";

/** A vk-uni-pay project's `vk-pay-orders` (numeric statuses, refund_list), migrated into this library's shape. */
describe("migrating vk-uni-pay orders", () => {
  let deps: ReturnType<typeof makeDeps>;
  const orders = () => deps.db.collection(COLLECTIONS.orders);
  const order = async (outTradeNo: string) => (await orders().where({ out_trade_no: outTradeNo }).get()).data[0];
  const migrate = async (dryRun: boolean) => {
    const result = await migrateLegacyOrders({ dry_run: dryRun }, deps);
    if (!("data" in result)) throw new Error(JSON.stringify(result));
    return result.data;
  };

  beforeEach(async () => {
    deps = makeDeps();
    for (const doc of exported) await orders().add({ ...doc });
  });
  afterEach(() => deps.close());

  it("reads an unmigrated paid or refunded order as paid, never as unpaid", async () => {
    expect(await queryPayment({ out_trade_no: "VK-PAID" }, deps)).toMatchObject({
      code: 0,
      data: { orderPaid: true, trade_state: "SUCCESS", user_order_success: true },
    });
    expect(await queryPayment({ out_trade_no: "VK-PARTLY" }, deps)).toMatchObject({ code: 0, data: { orderPaid: true, trade_state: "REFUND" } });
    expect(await queryPayment({ out_trade_no: "VK-CLOSED" }, deps)).toMatchObject({ code: 0, data: { orderPaid: false, trade_state: "CLOSED" } });
    // Closing it is refused as for any paid order.
    expect(await closeOrder({ out_trade_no: "VK-PAID" }, deps)).toMatchObject({ code: 2005 });
    expect(await order("VK-PAID")).toMatchObject({ status: 1 });
  });

  it("reports in a dry run what would change and writes nothing", async () => {
    const before = (await orders().orderBy("_id", "asc").get()).data;
    const report = await migrate(true);
    expect(report).toMatchObject({ dry_run: true, scanned: 6, migrated: 5, refunds_added: 3 });
    expect(report.changes).toEqual(
      expect.arrayContaining([
        { out_trade_no: "VK-CLOSED", from: -1, to: "CLOSED", provider: "wxpay", refunds: 0 },
        { out_trade_no: "VK-UNPAID", from: 0, to: "NOTPAY", provider: "alipay", refunds: 0 },
        { out_trade_no: "VK-PAID", from: 1, to: "SUCCESS", provider: "wxpay", refunds: 0 },
        { out_trade_no: "VK-PARTLY", from: 2, to: "REFUND", provider: "alipay", refunds: 2 },
        { out_trade_no: "VK-FULL", from: 3, to: "REFUND", provider: "wxpay", refunds: 1 },
      ]),
    );
    expect(report.problems).toEqual([{ out_trade_no: "VK-BROKEN", reason: "refund_list adds up to 200 fen, refund_fee says 300" }]);
    expect((await orders().orderBy("_id", "asc").get()).data).toEqual(before);
    expect((await deps.db.collection(COLLECTIONS.refunds).count()).total).toBe(0);
  });

  it("rewrites statuses, carries refunds into the ledger checked against the order, and changes nothing the second time", async () => {
    const first = await migrate(false);
    expect(first).toMatchObject({ dry_run: false, scanned: 6, migrated: 5, refunds_added: 3 });
    expect(await order("VK-PARTLY")).toMatchObject({
      status: "REFUND",
      provider: "alipay",
      refund_fee: 1000,
      refund_reserved: 1000,
      refund_num: 2,
      user_order_success: true,
      transaction_id: "2026120722001",
      migrated_from: { plugin: "vk-uni-pay", status: 2 },
    });
    expect(await order("VK-PAID")).toMatchObject({ status: "SUCCESS", custom: { goods_id: "g1", quantity: 1 }, pay_date: 1700000100000 });
    expect(await order("VK-BROKEN")).toMatchObject({ status: 2 });
    const ledger = (await deps.db.collection(COLLECTIONS.refunds).orderBy("_id", "asc").get()).data;
    expect(ledger).toEqual([
      expect.objectContaining({ _id: "VK-FULL-1", order_id: "o-full", refund_fee: 500, status: "SUCCESS", settle_date: 1700000600000 }),
      expect.objectContaining({ _id: "VK-PARTLY-1", order_id: "o-partly", refund_fee: 400, status: "SUCCESS", refund_desc: "用户申请退款" }),
      expect.objectContaining({ _id: "VK-PARTLY-2", order_id: "o-partly", refund_fee: 600, status: "SUCCESS" }),
    ]);

    const snapshot = (await orders().orderBy("_id", "asc").get()).data;
    const second = await migrate(false);
    expect(second).toMatchObject({ scanned: 1, migrated: 0, refunds_added: 0, changes: [] });
    expect((await orders().orderBy("_id", "asc").get()).data).toEqual(snapshot);
    expect((await deps.db.collection(COLLECTIONS.refunds).count()).total).toBe(3);
  });

  it("counts migrated refunds against the ceiling: only what is left of a partly refunded order can be refunded", async () => {
    await migrate(false);
    await expect(reserveRefund("o-partly", { refundFee: 2001, desc: "" }, 1, deps.db)).rejects.toMatchObject({ code: 2008 });
    const { record } = await reserveRefund("o-partly", { refundFee: 2000, desc: "" }, 1, deps.db);
    // vk-uni-pay's numbering goes on where the order's own left off.
    expect(record.out_refund_no).toBe("VK-PARTLY-3");
    await expect(reserveRefund("o-full", { refundFee: 1, desc: "" }, 1, deps.db)).rejects.toMatchObject({ code: 2008 });
  });

  it("leaves an order whose provider is not registered, or whose refunds contradict its status, and says why", async () => {
    await orders().add({ out_trade_no: "VK-VIRTUAL", status: 1, pay_type: "nosuchpay_mp-weixin", total_fee: 100 });
    await orders().add({
      out_trade_no: "VK-STATUS3",
      status: 3,
      pay_type: "wxpay_h5",
      total_fee: 100,
      refund_fee: 50,
      refund_list: [{ refund_fee: 50, out_refund_no: "S3-1" }],
    });
    const report = await migrate(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        { out_trade_no: "VK-VIRTUAL", reason: "pay_type nosuchpay_mp-weixin names no registered provider" },
        { out_trade_no: "VK-STATUS3", reason: "status 3 (fully refunded) with refund_fee 50 of 100" },
      ]),
    );
    expect(await order("VK-STATUS3")).toMatchObject({ status: 3 });
  });
});
