import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/** vk-uni-pay's legacy hook file `service/pay-notify/transfer.js`: it appends every call to a file and answers true. */
const TRANSFER_HOOK = `
const fs = require("fs");
const path = require("path");
module.exports = async (obj) => {
  fs.appendFileSync(path.join(process.env.UNICLOUD_DATA_DIR, "transfer-hook.log"), JSON.stringify(obj.data) + "\\n");
  return true;
};
`;

/**
 * Every state of a WeChat 商家转账 bill as the ledger lives through it, end to end: ACCEPTED and
 * PROCESSING (funds still being locked, no confirmation page yet), WAIT_USER_CONFIRM (the package appears,
 * by query too), TRANSFERING (the payee may confirm again), CANCELING kept while the notification is lost
 * and CANCELLED reached by the timer, FAIL / OVERDUE_CLOSE reached by the timer when its notification is
 * lost, and SUCCESS. The hook runs once for each final state.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/get-transfer-bill-by-out-no.html (单据状态)
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012716458 (撤销转账: CANCELING / CANCELLED)
 */
describe("WeChat Pay transfer states end to end", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let admin: string;
  let serial = 0;
  const billNo = () => `TS${Date.now()}${++serial}`;

  const client = async (url: string, data: Record<string, unknown>, token = admin) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { url, data, uniIdToken: token }, clientInfo: { PLATFORM: "mp-weixin", APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const ledger = async (outBillNo: string) => (await env.db.collection("vk-pay-transfers").doc(outBillNo).get()).data[0];
  const hookCalls = (outBillNo: string) => {
    const file = join(env.dataDir, "transfer-hook.log");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((call) => call.out_bill_no === outBillNo);
  };
  /** The timer asks only about transfers quiet for a minute; this one is made to look that old, then the timer runs. */
  const reconcileAfterQuiet = async (outBillNo: string) => {
    await env.db
      .collection("vk-pay-transfers")
      .doc(outBillNo)
      .update({ update_date: Date.now() - 2 * 60_000 });
    return client("admin/reconcile", {});
  };

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareSpace: (spaceDir) => writeFileSync(join(spaceDir, "cloudfunctions/vk-pay/service/pay-notify/transfer.js"), TRANSFER_HOOK),
    });
    await env.db.collection("uni-id-users").add({ _id: "boss", role: ["admin"], status: 0 });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it("ACCEPTED → PROCESSING → WAIT_USER_CONFIRM → TRANSFERING → SUCCESS: the options come with WAIT_USER_CONFIRM, by query", async () => {
    const outBillNo = billNo();
    await env.control("wxpay", "transfer-initial-state", { state: "ACCEPTED" });
    try {
      const created = await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-states-1", transfer_amount: 90 });
      expect(created).toMatchObject({ code: 0, data: { state: "ACCEPTED" } });
      expect(created.data.options).toBeUndefined();
    } finally {
      await env.control("wxpay", "transfer-initial-state", { state: "WAIT_USER_CONFIRM" });
    }
    await env.control("wxpay", "transfer-state", { out_bill_no: outBillNo, state: "PROCESSING" });
    const processing = await client("admin/queryTransfer", { out_bill_no: outBillNo });
    expect(processing).toMatchObject({ code: 0, data: { state: "PROCESSING" } });
    expect(processing.data.options).toBeUndefined();

    await env.control("wxpay", "transfer-state", { out_bill_no: outBillNo, state: "WAIT_USER_CONFIRM" });
    const waiting = await client("admin/queryTransfer", { out_bill_no: outBillNo });
    expect(waiting).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM", options: { package: expect.any(String) } } });

    // TRANSFERING: the payee opened the page but the result is open; the page may be opened again.
    await env.control("wxpay", "transfer-state", { out_bill_no: outBillNo, state: "TRANSFERING" });
    expect(await client("admin/queryTransfer", { out_bill_no: outBillNo })).toMatchObject({
      code: 0,
      data: { state: "TRANSFERING", options: waiting.data.options },
    });
    expect(await env.control("wxpay", "transfer-confirm", { out_bill_no: outBillNo })).toMatchObject({ ok: true, state: "SUCCESS" });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", hook_done: true });
    expect(hookCalls(outBillNo)).toEqual([expect.objectContaining({ state: "SUCCESS" })]);
  });

  it("CANCELING stays while the notification is lost; the timer reaches CANCELLED and the hook runs once", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-states-2", transfer_amount: 95 })).toMatchObject({
      code: 0,
    });
    await env.control("wxpay", "drop", { count: 1 });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "CANCELING" } });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "CANCELING" });
    expect(hookCalls(outBillNo)).toEqual([]);
    const run = await reconcileAfterQuiet(outBillNo);
    expect(run).toMatchObject({ code: 0, data: { transfers: { moved: expect.any(Number) } } });
    expect(await ledger(outBillNo)).toMatchObject({ status: "CANCELLED", fail_reason: "MCH_CANCEL", hook_done: true });
    expect(hookCalls(outBillNo)).toEqual([expect.objectContaining({ state: "CANCELLED" })]);
    await reconcileAfterQuiet(outBillNo);
    expect(hookCalls(outBillNo)).toHaveLength(1);
  });

  it("a second cancel of a CANCELING transfer asks WeChat where it stands instead of cancelling again", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-states-4", transfer_amount: 75 })).toMatchObject({
      code: 0,
    });
    await env.control("wxpay", "drop", { count: 1 });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "CANCELING" } });
    await env.wxpay.idle();
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "CANCELLED" } });
    expect(await ledger(outBillNo)).toMatchObject({ status: "CANCELLED", hook_done: true });
    expect(hookCalls(outBillNo)).toEqual([expect.objectContaining({ state: "CANCELLED" })]);
  });

  it("a cancel WeChat refuses because the payee already confirmed brings the ledger to SUCCESS and says it is final", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-states-5", transfer_amount: 65 })).toMatchObject({
      code: 0,
    });
    await env.control("wxpay", "drop", { count: 1 });
    expect(await env.control("wxpay", "transfer-confirm", { out_bill_no: outBillNo })).toMatchObject({ ok: true, state: "SUCCESS" });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "WAIT_USER_CONFIRM" });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 4004 });
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", hook_done: true });
    expect(hookCalls(outBillNo)).toEqual([expect.objectContaining({ state: "SUCCESS" })]);
  });

  it("FAIL / OVERDUE_CLOSE reaches the ledger by the timer when WeChat's closing notification is lost", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-states-3", transfer_amount: 85 })).toMatchObject({
      code: 0,
    });
    await env.control("wxpay", "drop", { count: 1 });
    expect(await env.control("wxpay", "clock", { advance_seconds: 24 * 3600 })).toMatchObject({ closed_transfers: expect.arrayContaining([outBillNo]) });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "WAIT_USER_CONFIRM" });
    await reconcileAfterQuiet(outBillNo);
    expect(await ledger(outBillNo)).toMatchObject({ status: "FAIL", fail_reason: "OVERDUE_CLOSE", hook_done: true });
    expect(hookCalls(outBillNo)).toEqual([expect.objectContaining({ state: "FAIL" })]);
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 4004 });
  });
});
