import { reconcile } from "../../common/vk-uni-pay/src/api/reconcile";
import { retryHooks } from "../../common/vk-uni-pay/src/api/retry-hooks";
import type { ApiDeps } from "../../common/vk-uni-pay/src/api/shared";
import { transfer } from "../../common/vk-uni-pay/src/api/transfer";
import { NetworkError, ProviderRejectedError } from "../../common/vk-uni-pay/src/core/errors";
import { hookRetryDelayMs, type OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findTransfer } from "../../common/vk-uni-pay/src/core/transfers";
import type { PaymentProvider, TransferState } from "../../common/vk-uni-pay/src/kernel/contract";
import { makeDeps, memoryDatabase } from "../helpers/deps";
import { createTestpay } from "../helpers/testpay";

const MINUTE = 60_000;

/**
 * A transfer platform double: bills by number, states set by the test, and a switch that loses the next
 * answer after the bill was made (the money-safety case: the platform acted, the caller never heard).
 */
function transferPlatform() {
  const bills = new Map<string, { state: TransferState; amount: number; account: string; requests: number }>();
  const calls: string[] = [];
  const control = { loseNextAnswer: false, down: false };
  const base = createTestpay().provider;
  const provider: PaymentProvider = {
    ...base,
    async transfer(request) {
      calls.push(`transfer ${request.outBillNo}`);
      if (control.down) throw new NetworkError();
      const bill = bills.get(request.outBillNo) ?? {
        state: "WAIT_USER_CONFIRM" as TransferState,
        amount: request.amount,
        account: request.payee.account,
        requests: 0,
      };
      bill.requests += 1;
      bills.set(request.outBillNo, bill);
      if (control.loseNextAnswer) {
        control.loseNextAnswer = false;
        throw new NetworkError();
      }
      return { state: bill.state, outBillNo: request.outBillNo, transferBillNo: `TB-${request.outBillNo}`, amount: bill.amount, raw: {} };
    },
    async queryTransfer(request) {
      calls.push(`query ${request.outBillNo}`);
      if (control.down) throw new NetworkError();
      const bill = bills.get(request.outBillNo);
      if (!bill) throw new ProviderRejectedError("NOT_FOUND", "记录不存在");
      return {
        state: bill.state,
        outBillNo: request.outBillNo,
        transferBillNo: `TB-${request.outBillNo}`,
        amount: bill.amount,
        payeeAccount: bill.account,
        raw: {},
      };
    },
  };
  return { provider, bills, calls, control };
}

describe("the reconciliation timer and hookRetry for transfers", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let deps: ApiDeps;
  let platform: ReturnType<typeof transferPlatform>;
  let clock: number;
  let hookDown: boolean;
  let hookRuns: string[];
  const transferHooks: OrderTypeHooks = {
    async transferred({ transfer: done }) {
      if (hookDown) throw new Error("ledger service down");
      hookRuns.push(`${done.out_bill_no}:${done.status}`);
    },
  };
  const send = (outBillNo: string, openid = `o-${outBillNo}`) => transfer({ provider: "testpay", out_bill_no: outBillNo, openid, transfer_amount: 100 }, deps);

  beforeEach(() => {
    raw = memoryDatabase();
    platform = transferPlatform();
    clock = 100 * 24 * 3600_000;
    hookDown = false;
    hookRuns = [];
    deps = makeDeps({
      db: raw.db,
      now: () => clock,
      config: () => ({ testpay: { transfer: { key: "k" } } }),
      providers: [platform.provider],
      hooks: (type) => (type === "transfer" ? transferHooks : undefined),
    });
  });
  afterEach(() => raw.close());

  it("queries a transfer left waiting past the quiet time and moves it forward, running its hook once; a fresh one is left alone", async () => {
    expect(await send("OLD1")).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    clock += 2 * MINUTE;
    expect(await send("NEW1")).toMatchObject({ code: 0 });
    // The payee confirmed both; neither notification arrived.
    platform.bills.get("OLD1")!.state = "SUCCESS";
    platform.bills.get("NEW1")!.state = "SUCCESS";
    const report = await reconcile({}, deps);
    expect(report).toMatchObject({ code: 0, data: { transfers: { queried: 1, moved: 1, hooks: 0 }, errors: [] } });
    expect(await findTransfer("OLD1", raw.db)).toMatchObject({ status: "SUCCESS", hook_done: true });
    expect(await findTransfer("NEW1", raw.db)).toMatchObject({ status: "WAIT_USER_CONFIRM" });
    expect(hookRuns).toEqual(["OLD1:SUCCESS"]);
    // Final and hooked: the next run asks nothing about it.
    const queries = platform.calls.filter((call) => call === "query OLD1").length;
    clock += 2 * MINUTE;
    await reconcile({}, deps);
    expect(platform.calls.filter((call) => call === "query OLD1")).toHaveLength(queries);
    expect(await findTransfer("NEW1", raw.db)).toMatchObject({ status: "SUCCESS" });
    expect(hookRuns).toEqual(["OLD1:SUCCESS", "NEW1:SUCCESS"]);
  });

  it("re-runs a failed transfer hook with the payments' backoff, not before its time, and admin/hookRetry runs it at once", async () => {
    await send("H1");
    await send("H2");
    platform.bills.get("H1")!.state = "FAIL";
    platform.bills.get("H2")!.state = "CANCELLED";
    hookDown = true;
    clock += 2 * MINUTE;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { transfers: { queried: 2, moved: 2, hooks: 0 } } });
    const failed = await findTransfer("H1", raw.db);
    expect(failed).toMatchObject({ status: "FAIL", hook_done: false, hook_attempts: 1, hook_next_retry: clock + hookRetryDelayMs(1) });
    // Still failing at its retry time: the next wait doubles, as for payments.
    clock += hookRetryDelayMs(1);
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { transfers: { hooks: 0 } } });
    expect(await findTransfer("H1", raw.db)).toMatchObject({ hook_attempts: 2, hook_next_retry: clock + hookRetryDelayMs(2) });
    expect(hookRetryDelayMs(2)).toBe(2 * hookRetryDelayMs(1));
    expect(hookRetryDelayMs(40)).toBe(6 * 3600_000);
    hookDown = false;
    // Before its retry time the timer leaves it; an admin does not have to wait.
    clock += 1000;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { transfers: { hooks: 0 } } });
    expect(await retryHooks({ out_bill_no: "H1" }, deps)).toMatchObject({ code: 0, data: { out_bill_no: "H1", transfer: "done" } });
    expect(await retryHooks({ out_bill_no: "H1" }, deps)).toMatchObject({ code: 0, data: { transfer: "already-done" } });
    expect(await retryHooks({ out_bill_no: "NOPE1" }, deps)).toMatchObject({ code: 4003 });
    clock += hookRetryDelayMs(2);
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { transfers: { hooks: 1 } } });
    expect(hookRuns.sort()).toEqual(["H1:FAIL", "H2:CANCELLED"]);
    expect(await findTransfer("H2", raw.db)).toMatchObject({ hook_done: true, hook_error: "" });
  });

  it("sends a transfer once when its answer was lost after the platform acted, however often it is retried", async () => {
    platform.control.loseNextAnswer = true;
    expect(await send("L1")).toMatchObject({ code: 3002 });
    expect(await findTransfer("L1", raw.db)).toMatchObject({ status: "ACCEPTED", send_state: "unknown" });
    // The timer finds the bill at the platform and takes its state; nothing is sent again.
    clock += 2 * MINUTE;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { transfers: { queried: 1, moved: 1 } } });
    expect(await findTransfer("L1", raw.db)).toMatchObject({ status: "WAIT_USER_CONFIRM", send_state: "sent", transfer_bill_no: "TB-L1" });
    expect(await send("L1")).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    expect(platform.calls.filter((call) => call === "transfer L1")).toHaveLength(1);

    // Lost again, and retried by the caller before the timer ran: the same number goes once more, one bill.
    platform.control.loseNextAnswer = true;
    expect(await send("L2")).toMatchObject({ code: 3002 });
    const retries = await Promise.all([send("L2"), send("L2")]);
    expect(retries.map((answer) => answer.code).sort()).toEqual([0, 4008]);
    expect(platform.bills.get("L2")).toMatchObject({ requests: 2 });
    expect(await send("L2")).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM", transfer_bill_no: "TB-L2" } });
    expect(platform.bills.get("L2")).toMatchObject({ requests: 2 });
  });

  it("reopens a send cut off mid-way that the platform never received, so the same number may be sent again", async () => {
    platform.control.down = true;
    // A crash between the ledger write and the answer: the record stays "sending".
    expect(await send("S1")).toMatchObject({ code: 3002 });
    await raw.db.collection("vk-pay-transfers").doc("S1").update({ send_state: "sending" });
    expect(await send("S1")).toMatchObject({ code: 4008 });
    platform.control.down = false;
    clock += 2 * MINUTE;
    // Not yet stale: a send may still be under way.
    expect(await reconcile({}, deps)).toMatchObject({ data: { transfers: { queried: 1, sendsReopened: 0 } } });
    expect(await findTransfer("S1", raw.db)).toMatchObject({ send_state: "sending" });
    clock += 20 * MINUTE;
    const report = await reconcile({}, deps);
    expect(report).toMatchObject({ data: { transfers: { sendsReopened: 1 }, errors: [expect.stringContaining("S1")] } });
    expect(await send("S1")).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    expect(platform.bills.get("S1")).toMatchObject({ requests: 1 });
  });
});
