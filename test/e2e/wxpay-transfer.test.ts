import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { v3Notification } from "./helpers/wxpay";

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
 * WeChat 商家转账 end to end over real HTTP: an admin transfers through vk-pay, the library signs and
 * sends the bill to the WeChat Pay sandbox, the payee sees it pending with its requestMerchantTransfer
 * options and confirms it in the sandbox, and the signed, encrypted MCHTRANSFER.BILL.FINISHED
 * notification settles the ledger once.
 */
describe("WeChat Pay transfers end to end through the emulator and the sandbox", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let payee: string;
  let other: string;
  let admin: string;
  let serial = 0;
  const billNo = () => `TB${Date.now()}${++serial}`;

  const client = async (url: string, data: Record<string, unknown>, token: string) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { url, data, uniIdToken: token }, clientInfo: { PLATFORM: "mp-weixin", APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const hookCalls = () => {
    const file = join(env.dataDir, "transfer-hook.log");
    return existsSync(file)
      ? readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line))
      : [];
  };
  const ledger = async (outBillNo: string) => (await env.db.collection("vk-pay-transfers").doc(outBillNo).get()).data[0];

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareSpace: (spaceDir) => writeFileSync(join(spaceDir, "cloudfunctions/vk-pay/service/pay-notify/transfer.js"), TRANSFER_HOOK),
    });
    await env.db.collection("uni-id-users").add([
      { _id: "payee1", role: [], status: 0 },
      { _id: "payee2", role: [], status: 0 },
      { _id: "boss", role: ["admin"], status: 0 },
    ]);
    payee = await mintToken(TEST_SECRET, { uid: "payee1" });
    other = await mintToken(TEST_SECRET, { uid: "payee2" });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it("an admin transfers (seed shape), the payee sees it pending and confirms it, and the notification settles it once", async () => {
    const outBillNo = billNo();
    const created = await client(
      "admin/transfer",
      { provider: "wxpay", out_trade_no: outBillNo, openid: "o-payee-1", money: 100, desc: "活动奖励", payee_user_id: "payee1" },
      admin,
    );
    expect(created).toMatchObject({
      code: 0,
      data: {
        out_bill_no: outBillNo,
        state: "WAIT_USER_CONFIRM",
        transfer_amount: 100,
        transfer_bill_no: expect.any(String),
        options: { mchId: expect.any(String), appId: "wx0000000000000001", package: expect.any(String) },
      },
    });

    // The payee sees their own pending transfer with the options for requestMerchantTransfer; another user sees none.
    const pending = await client("pay/transfer/pending", {}, payee);
    expect(pending).toMatchObject({ code: 0, data: { rows: [{ out_bill_no: outBillNo, options: created.data.options }] } });
    expect(await client("pay/transfer/pending", { user_id: "payee1" }, other)).toMatchObject({ code: 0, data: { rows: [] } });

    expect(await env.control("wxpay", "transfer-confirm", { out_bill_no: outBillNo })).toMatchObject({ ok: true, state: "SUCCESS" });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", hook_done: true, operator: "boss" });

    // The same notification again changes nothing.
    expect(await env.control("wxpay", "redeliver", { out_bill_no: outBillNo })).toMatchObject({ ok: true });
    await env.wxpay.idle();
    const record = await ledger(outBillNo);
    expect(record.status).toBe("SUCCESS");
    expect(record.notifications).toHaveLength(2);
    const log = (await env.db.collection("vk-pay-notify-log").where({ out_bill_no: outBillNo }).get()).data.map((entry: any) => entry.outcome);
    expect(log).toEqual(["applied", "duplicate"]);
    // The transfer hook ran once, for the final state.
    expect(hookCalls().filter((call: any) => call.out_bill_no === outBillNo)).toEqual([
      expect.objectContaining({ out_bill_no: outBillNo, state: "SUCCESS", transfer_amount: 100, openid: "o-payee-1" }),
    ]);
    expect(await client("admin/queryTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 4004 });
    expect(await client("pay/transfer/pending", {}, payee)).toMatchObject({ code: 0, data: { rows: [] } });
  });

  it("takes vk-uni-pay 1.16's shape, queries by transfer_bill_no, and cancels a waiting bill", async () => {
    const outBillNo = billNo();
    const created = await client(
      "admin/transfer",
      {
        provider: "wxpay",
        out_bill_no: outBillNo,
        openid: "o-payee-2",
        transfer_amount: 250,
        transfer_remark: "佣金",
        transfer_scene_id: "1005",
        transfer_scene_report_infos: [
          { info_type: "岗位类型", info_content: "推广员" },
          { info_type: "报酬说明", info_content: "推广佣金" },
        ],
      },
      admin,
    );
    expect(created).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    expect(await client("admin/queryTransfer", { transfer_bill_no: created.data.transfer_bill_no }, admin)).toMatchObject({
      code: 0,
      data: { out_bill_no: outBillNo, state: "WAIT_USER_CONFIRM" },
    });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 0, data: { state: "CANCELING" } });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "CANCELLED", fail_reason: "MCH_CANCEL" });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 4004 });
  });

  it.each([
    ["ACCEPTED", "ACCEPTED"],
    ["PROCESSING", "PROCESSING"],
    ["WAIT_USER_CONFIRM", "TRANSFERING"],
  ])("cancels a bill that starts %s and is reported %s", async (initial, state) => {
    const outBillNo = billNo();
    await env.control("wxpay", "transfer-initial-state", { state: initial });
    try {
      expect(
        await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: `o-cancel-${state}`, transfer_amount: 20 }, admin),
      ).toMatchObject({
        code: 0,
        data: { state: initial },
      });
    } finally {
      await env.control("wxpay", "transfer-initial-state", { state: "WAIT_USER_CONFIRM" });
    }
    if (initial !== state) expect(await env.control("wxpay", "transfer-state", { out_bill_no: outBillNo, state })).toMatchObject({ ok: true, state });
    expect(await client("admin/queryTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 0, data: { state } });
    // No confirmation options outside WAIT_USER_CONFIRM and TRANSFERING.
    expect((await ledger(outBillNo)).confirm_info ?? null).toEqual(state === "TRANSFERING" ? expect.any(Object) : null);
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 0, data: { state: "CANCELING" } });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "CANCELLED", fail_reason: "MCH_CANCEL" });
  });

  it("refuses to cancel a bill the payee rejected (FAIL)", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-reject", transfer_amount: 20 }, admin)).toMatchObject({
      code: 0,
    });
    expect(await env.control("wxpay", "transfer-reject", { out_bill_no: outBillNo })).toMatchObject({ state: "FAIL", fail_reason: "TRANSFER_REJECT" });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "FAIL" });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 4004 });
  });

  it("closes an unconfirmed bill as FAIL / OVERDUE_CLOSE after 24 hours of sandbox clock", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-payee-3", transfer_amount: 30 }, admin)).toMatchObject({
      code: 0,
    });
    expect(await env.control("wxpay", "clock", { advance_seconds: 23 * 3600 })).toMatchObject({ closed_transfers: [] });
    expect(await env.control("wxpay", "clock", { advance_seconds: 3600 })).toMatchObject({ closed_transfers: [outBillNo] });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "FAIL", fail_reason: "OVERDUE_CLOSE" });
  });

  it("sends one bill for concurrent and repeated calls with one out_bill_no, and refuses another payee's second transfer unless forced", async () => {
    const outBillNo = billNo();
    const body = { provider: "wxpay", out_bill_no: outBillNo, openid: "o-payee-4", transfer_amount: 40 };
    const answers = await Promise.all([1, 2, 3].map(() => client("admin/transfer", body, admin)));
    expect(answers.filter((answer) => answer.code === 0).length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) expect([0, 4008]).toContain(answer.code);
    expect(await client("admin/transfer", body, admin)).toMatchObject({ code: 0, data: { out_bill_no: outBillNo, state: "WAIT_USER_CONFIRM" } });
    expect(await env.control("wxpay", "transfer-requests", { out_bill_no: outBillNo })).toMatchObject({ requests: 1 });
    expect(await client("admin/transfer", { ...body, transfer_amount: 41 }, admin)).toMatchObject({ code: 4002 });

    const second = { provider: "wxpay", out_bill_no: billNo(), openid: "o-payee-4", transfer_amount: 40 };
    expect(await client("admin/transfer", second, admin)).toMatchObject({ code: 4005 });
    expect(await client("admin/transfer", { ...second, force: true }, admin)).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
  });

  it("applies the amount and real-name rules, encrypting user_name for the sandbox's key", async () => {
    const base = { provider: "wxpay", openid: "o-payee-5" };
    expect(await client("admin/transfer", { ...base, out_bill_no: billNo(), transfer_amount: 9 }, admin)).toMatchObject({ code: 1008 });
    expect(await client("admin/transfer", { ...base, out_bill_no: billNo(), transfer_amount: 200_000 }, admin)).toMatchObject({ code: 1010 });
    const named = billNo();
    expect(await client("admin/transfer", { ...base, out_bill_no: named, transfer_amount: 200_000, user_name: "张三" }, admin)).toMatchObject({
      code: 0,
      data: { state: "WAIT_USER_CONFIRM" },
    });
    expect(await env.control("wxpay", "transfer-requests", { out_bill_no: named })).toMatchObject({ user_name: "张三" });
    expect((await ledger(named)).payee_name_sent).toBe(true);
    expect(JSON.stringify(await ledger(named))).not.toContain("张三");
    // Above the sandbox merchant's scene ceiling WeChat answers INVALID_REQUEST; the number is then spent as FAIL.
    const tooMuch = billNo();
    expect(await client("admin/transfer", { ...base, out_bill_no: tooMuch, transfer_amount: 2_000_001, user_name: "张三", force: true }, admin)).toMatchObject({
      code: 3001,
    });
    expect(await ledger(tooMuch)).toMatchObject({ status: "FAIL", fail_reason: "INVALID_REQUEST" });
  });

  it("refuses forged or unbound transfer notifications without changing the transfer, and accepts a genuine one", async () => {
    const outBillNo = billNo();
    const created = await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-payee-6", transfer_amount: 60 }, admin);
    const { notify_url: notifyUrl } = await env.control("wxpay", "transfer-requests", { out_bill_no: outBillNo });
    expect(notifyUrl).toMatch(new RegExp(`/transfer-notify/wxpay/${outBillNo}$`));
    const signer = { privateKeyPem: env.wxpay.keys.wxpayPublicKeyPrivatePem, serial: env.wxpay.keys.wxpayPublicKeyId };
    const bill = (overrides: Record<string, unknown>) => ({
      mch_id: created.data.result?.mch_id ?? env.wxpay.keys.mchId,
      out_bill_no: outBillNo,
      transfer_bill_no: created.data.transfer_bill_no,
      state: "SUCCESS",
      transfer_amount: 60,
      openid: "o-payee-6",
      create_time: "2026-12-07T12:00:00+08:00",
      update_time: "2026-12-07T12:01:00+08:00",
      ...overrides,
    });
    const notify = (resource: Record<string, unknown>, sign = signer) =>
      v3Notification({ v3Key: env.wxpay.keys.v3Key, signer: sign, eventType: "MCHTRANSFER.BILL.FINISHED", originalType: "mch_payment", resource });
    // One byte of the signed body changed after signing.
    const tampered = (message: { body: string; headers: Record<string, string> }) => ({ ...message, body: message.body.replace('"通知"', '"通知!"') });
    const post = async (message: { body: string; headers: Record<string, string> }) => (await fetch(notifyUrl, { method: "POST", ...message })).status;
    for (const message of [
      notify(bill({ transfer_amount: 6000 })),
      notify(bill({ openid: "o-someone-else" })),
      notify(bill({ mch_id: "1900009999" })),
      tampered(notify(bill({}))),
    ]) {
      expect(await post(message)).toBeGreaterThanOrEqual(400);
      expect(await ledger(outBillNo)).toMatchObject({ status: "WAIT_USER_CONFIRM" });
    }
    expect(hookCalls().some((call: any) => call.out_bill_no === outBillNo)).toBe(false);
    expect(await post(notify(bill({})))).toBe(200);
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", hook_done: true });
  });

  it("sends one bill when WeChat's answer is lost after it made the bill: the retry under the same number is the same bill", async () => {
    const outBillNo = billNo();
    const body = { provider: "wxpay", out_bill_no: outBillNo, openid: "o-lost-1", transfer_amount: 70, payee_user_id: "payee2" };
    expect(await env.control("wxpay", "drop-response", { count: 1, path: "/v3/fund-app/mch-transfer/transfer-bills" })).toMatchObject({ ok: true });
    expect(await client("admin/transfer", body, admin)).toMatchObject({ code: 3002 });
    expect(await ledger(outBillNo)).toMatchObject({ status: "ACCEPTED", send_state: "unknown" });
    const atWechat = await env.control("wxpay", "transfer-requests", { out_bill_no: outBillNo });
    expect(atWechat).toMatchObject({ ok: true, requests: 1, state: "WAIT_USER_CONFIRM" });
    // Other terms under the number are still refused; the same terms send it again, to the same bill.
    expect(await client("admin/transfer", { ...body, transfer_amount: 71 }, admin)).toMatchObject({ code: 4002 });
    const retried = await client("admin/transfer", body, admin);
    expect(retried).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM", options: { package: expect.any(String) } } });
    expect(await env.control("wxpay", "transfer-requests", { out_bill_no: outBillNo })).toMatchObject({ requests: 2 });
    expect(await client("admin/transfer", body, admin)).toMatchObject({ code: 0, data: { transfer_bill_no: retried.data.transfer_bill_no } });
    expect(await env.control("wxpay", "transfer-requests", { out_bill_no: outBillNo })).toMatchObject({ requests: 2 });

    // Lost again, then a query instead of a retry: the bill's state is taken and nothing is sent again.
    const queried = billNo();
    await env.control("wxpay", "drop-response", { count: 1, path: "/transfer-bills" });
    expect(await client("admin/transfer", { ...body, out_bill_no: queried, force: true }, admin)).toMatchObject({ code: 3002 });
    expect(await client("admin/queryTransfer", { out_bill_no: queried }, admin)).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    expect(await client("admin/transfer", { ...body, out_bill_no: queried, force: true }, admin)).toMatchObject({ code: 0 });
    expect(await env.control("wxpay", "transfer-requests", { out_bill_no: queried })).toMatchObject({ requests: 1 });
    expect(await ledger(queried)).toMatchObject({ send_state: "sent", status: "WAIT_USER_CONFIRM" });
  });

  it("the timer (admin/reconcile) settles a confirmed transfer whose notification was lost, and its hook runs once", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-lost-2", transfer_amount: 80 }, admin)).toMatchObject({
      code: 0,
    });
    await env.control("wxpay", "drop", { count: 1 });
    expect(await env.control("wxpay", "confirm", { out_bill_no: outBillNo })).toMatchObject({ ok: true, state: "SUCCESS" });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "WAIT_USER_CONFIRM" });
    // A transfer untouched for a minute is asked about; this one is made to look that old.
    await env.db
      .collection("vk-pay-transfers")
      .doc(outBillNo)
      .update({ update_date: Date.now() - 2 * 60_000 });
    const run = await client("admin/reconcile", {}, admin);
    expect(run).toMatchObject({ code: 0, data: { transfers: { moved: expect.any(Number) } } });
    expect(run.data.transfers.moved).toBeGreaterThanOrEqual(1);
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", hook_done: true });
    expect(hookCalls().filter((call: any) => call.out_bill_no === outBillNo)).toHaveLength(1);
    expect(await client("admin/hookRetry", { out_bill_no: outBillNo }, admin)).toMatchObject({ code: 0, data: { transfer: "already-done" } });
    expect(hookCalls().filter((call: any) => call.out_bill_no === outBillNo)).toHaveLength(1);
  });

  it("refuses non-admin callers", async () => {
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: billNo(), openid: "o-x", transfer_amount: 100 }, payee)).toMatchObject({
      code: 403,
    });
    expect(await client("admin/transfers", {}, payee)).toMatchObject({ code: 403 });
    expect(await client("admin/transfers", {}, admin)).toMatchObject({ code: 0, data: { rows: expect.any(Array) } });
  });
});
