import { reserveTransfer, applyTransferStatus, findTransfer, mayMoveTransfer, type TransferDraft } from "../../common/vk-uni-pay/src/core/transfers";
import { runTransferHook } from "../../common/vk-uni-pay/src/core/transfer-hook";
import { memoryDatabase } from "../helpers/deps";

/** The transfer ledger on the emulator's real embedded database: one number pays once, limits hold under concurrency, states only move forward. */
describe("the transfer ledger", () => {
  let memory: ReturnType<typeof memoryDatabase>;
  beforeEach(() => (memory = memoryDatabase()));
  afterEach(() => memory.close());

  const draft = (outBillNo: string, amount = 100, payee = "o-1"): TransferDraft => ({
    out_bill_no: outBillNo,
    provider: "wxpay",
    config_key: "transfer",
    transfer_amount: amount,
    payee_account: payee,
    payee_name_sent: false,
    transfer_remark: "奖励",
    day: "20261207",
  });

  it("creates one transfer for concurrent reservations of one out_bill_no and refuses other terms under it", async () => {
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => reserveTransfer(draft("B1"), {}, 1, memory.db)));
    const created = results.filter((result) => result.status === "fulfilled" && result.value.created);
    expect(created).toHaveLength(1);
    await expect(reserveTransfer(draft("B1", 101), {}, 1, memory.db)).rejects.toMatchObject({ code: 4002 });
    expect((await memory.db.collection("vk-pay-transfers").count()).total).toBe(1);
  });

  it("refuses a transfer beyond the payee's or the merchant's daily limit, also when the reservations race", async () => {
    const limits = { perPayeeDaily: 250, daily: 400 };
    const racing = await Promise.allSettled(["A1", "A2", "A3"].map((no) => reserveTransfer(draft(no, 100, "o-a"), limits, 1, memory.db)));
    expect(racing.filter((result) => result.status === "fulfilled")).toHaveLength(2);
    expect(racing.find((result) => result.status === "rejected")).toMatchObject({ reason: { code: 4006 } });
    await reserveTransfer(draft("B2", 200, "o-b"), limits, 1, memory.db);
    await expect(reserveTransfer(draft("C1", 100, "o-c"), limits, 1, memory.db)).rejects.toMatchObject({ code: 4007 });
  });

  it("moves states only forward, never out of a final one", async () => {
    expect(mayMoveTransfer("WAIT_USER_CONFIRM", "SUCCESS")).toBe(true);
    expect(mayMoveTransfer("TRANSFERING", "CANCELING")).toBe(true);
    expect(mayMoveTransfer("WAIT_USER_CONFIRM", "ACCEPTED")).toBe(false);
    for (const final of ["SUCCESS", "FAIL", "CANCELLED"] as const) expect(mayMoveTransfer(final, "CANCELING")).toBe(false);
    const { record } = await reserveTransfer(draft("M1"), {}, 1, memory.db);
    expect(await applyTransferStatus(record, { state: "SUCCESS", outBillNo: "M1", raw: {} }, 2, memory.db)).toBe("moved");
    // A report read before the move lands on nothing: its condition is the state it was read in.
    expect(await applyTransferStatus(record, { state: "FAIL", outBillNo: "M1", raw: {} }, 3, memory.db)).toBe("unchanged");
    expect(await findTransfer("M1", memory.db)).toMatchObject({ status: "SUCCESS", final_date: 2 });
  });

  it("runs a legacy transfer hook once, and again only after it failed", async () => {
    const { record } = await reserveTransfer(draft("H1"), {}, 1, memory.db);
    await applyTransferStatus(record, { state: "SUCCESS", outBillNo: "H1", raw: {} }, 2, memory.db);
    const calls: unknown[] = [];
    let fail = true;
    const hook = async (obj: { data: Record<string, unknown> }) => {
      calls.push(obj.data);
      return !fail;
    };
    const options = { now: 3, log: () => undefined, db: memory.db };
    expect(await runTransferHook("H1", () => hook, options)).toBe("failed");
    fail = false;
    expect(await runTransferHook("H1", () => hook, options)).toBe("done");
    expect(await runTransferHook("H1", () => hook, options)).toBe("already-done");
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ out_bill_no: "H1", state: "SUCCESS", transfer_amount: 100, openid: "o-1" });
  });

  it("runs a typed transferred hook with its writes in the marker's transaction", async () => {
    const { record } = await reserveTransfer(draft("T1"), {}, 1, memory.db);
    await applyTransferStatus(record, { state: "FAIL", outBillNo: "T1", failReason: "OVERDUE_CLOSE", raw: {} }, 2, memory.db);
    const hooks = {
      async transferred({ transfer, db }: { transfer: { out_bill_no: string; status: string }; db: any }) {
        await db.collection("vk-pay-balance-log").add({ _id: `t-${transfer.out_bill_no}`, type: transfer.status });
      },
    };
    const options = { now: 3, log: () => undefined, db: memory.db };
    expect(await runTransferHook("T1", () => hooks, options)).toBe("done");
    expect(await runTransferHook("T1", () => hooks, options)).toBe("already-done");
    expect((await memory.db.collection("vk-pay-balance-log").count()).total).toBe(1);
  });
});
