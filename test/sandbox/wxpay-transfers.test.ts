import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHarness, type Harness } from "./helpers/wxpay-harness";

/**
 * The WeChat sandbox's 商家转账 bills kept in its state file across restarts, and the `drop-response`
 * fault: the bill is made, the answer never arrives, and the same out_bill_no sent again is the same bill.
 */
describe("WeChat sandbox: transfer bills across restarts and lost answers", () => {
  let root: string;
  let serial = 0;
  const billNo = () => `SB${Date.now()}${++serial}`;
  const billBody = (h: Harness, outBillNo: string, extra: Record<string, unknown> = {}) => ({
    appid: h.sandbox.keys.appId,
    out_bill_no: outBillNo,
    transfer_scene_id: "1000",
    transfer_scene_report_infos: [
      { info_type: "活动名称", info_content: "新会员有礼" },
      { info_type: "奖励说明", info_content: "注册奖励" },
    ],
    openid: "oPayee000000000000000000001",
    transfer_amount: 150,
    transfer_remark: "奖励",
    notify_url: `${h.receiver.url}/http/vk-pay/transfer-notify/wxpay/${outBillNo}`,
    ...extra,
  });
  const PATH = "/v3/fund-app/mch-transfer/transfer-bills";

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "vk-pay-wxpay-transfers-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("keeps bills, their states and the initial-state setting across a restart; a kept bill still confirms, notifies and expires", async () => {
    const dataDir = join(root, "restart");
    const waiting = billNo();
    const processing = billNo();
    const overdue = billNo();
    const first = await startHarness({ dataDir });
    const created = await first.api("POST", PATH, billBody(first, waiting));
    expect(created).toMatchObject({ status: 200, json: { state: "WAIT_USER_CONFIRM", package_info: expect.any(String) } });
    await first.api("POST", PATH, billBody(first, overdue));
    expect((await first.control("transfer-initial-state", { state: "PROCESSING" })).json).toMatchObject({ ok: true });
    expect((await first.api("POST", PATH, billBody(first, processing))).json).toMatchObject({ state: "PROCESSING" });
    await first.control("clock", { advance_seconds: 23 * 3600 });
    await first.close();
    const saved = JSON.parse(readFileSync(join(dataDir, "sandbox", "wxpay", "state.json"), "utf8"));
    expect(Object.keys(saved.bills).sort()).toEqual([waiting, processing, overdue].map((no) => `${first.merchant.mchid}:${no}`).sort());

    const sent: Array<{ url: string; body: string }> = [];
    const second = await startHarness({ dataDir, request: async (url, init) => (sent.push({ url, body: init.body }), { status: 200 }) });
    try {
      const byNumber = await second.api("GET", `${PATH}/out-bill-no/${waiting}`);
      expect(byNumber.json).toMatchObject({
        out_bill_no: waiting,
        state: "WAIT_USER_CONFIRM",
        transfer_bill_no: created.json.transfer_bill_no,
        transfer_amount: 150,
      });
      expect(byNumber.json.package_info).toBe(created.json.package_info);
      expect((await second.api("GET", `${PATH}/transfer-bill-no/${created.json.transfer_bill_no}`)).json).toMatchObject({ out_bill_no: waiting });
      expect((await second.api("GET", `${PATH}/out-bill-no/${processing}`)).json).toMatchObject({ state: "PROCESSING" });
      // The initial state set before the restart still holds.
      expect((await second.api("POST", PATH, billBody(second, billNo()))).json).toMatchObject({ state: "PROCESSING" });
      await second.control("transfer-initial-state", { state: "WAIT_USER_CONFIRM" });
      // The same number after the restart is the same bill, counted as a second request.
      expect((await second.api("POST", PATH, billBody(second, waiting))).json).toMatchObject({ transfer_bill_no: created.json.transfer_bill_no });
      expect((await second.control("transfer-requests", { out_bill_no: waiting })).json).toMatchObject({ requests: 2, state: "WAIT_USER_CONFIRM" });

      expect((await second.control("confirm", { out_bill_no: waiting })).json).toEqual({ ok: true, state: "SUCCESS" });
      // The 24 hours count from the bill's creation before the restart: one more hour closes the other.
      expect((await second.control("clock", { advance_seconds: 3600 })).json).toMatchObject({ closed_transfers: [overdue] });
      await second.sandbox.idle();
      const finished = sent.map((notification) => ({ url: notification.url, event: JSON.parse(notification.body).event_type }));
      expect(finished).toEqual([
        { url: billBody(first, waiting).notify_url, event: "MCHTRANSFER.BILL.FINISHED" },
        { url: billBody(first, overdue).notify_url, event: "MCHTRANSFER.BILL.FINISHED" },
      ]);
      expect((await second.api("GET", `${PATH}/out-bill-no/${overdue}`)).json).toMatchObject({ state: "FAIL", fail_reason: "OVERDUE_CLOSE" });
      expect((await second.control("reject", { out_bill_no: waiting })).status).toBe(409);
    } finally {
      await second.close();
    }
  });

  it("drop-response carries out the request and loses its answer; the same out_bill_no again is the same bill", async () => {
    const h = await startHarness({ persist: false });
    try {
      const outBillNo = billNo();
      expect((await h.control("drop-response", { count: 1, path: "/transfer-bills" })).json).toEqual({ ok: true, pending_lost_answers: 1 });
      // A query of payments is not what was armed: its answer arrives.
      expect((await h.api("GET", `/v3/pay/transactions/out-trade-no/NOPE0001?mchid=${h.merchant.mchid}`)).status).toBe(404);
      await expect(h.api("POST", PATH, billBody(h, outBillNo))).rejects.toThrow();
      // The bill was made all the same.
      const bill = await h.api("GET", `${PATH}/out-bill-no/${outBillNo}`);
      expect(bill.json).toMatchObject({ out_bill_no: outBillNo, state: "WAIT_USER_CONFIRM" });
      const again = await h.api("POST", PATH, billBody(h, outBillNo));
      expect(again).toMatchObject({ status: 200, json: { transfer_bill_no: bill.json.transfer_bill_no, state: "WAIT_USER_CONFIRM" } });
      expect((await h.control("transfer-requests", { out_bill_no: outBillNo })).json).toMatchObject({ requests: 2 });
      expect((await h.control("drop-response", { count: -1 })).status).toBe(400);
      expect(existsSync(join(h.dataDir, "sandbox", "wxpay", "state.json"))).toBe(false);
    } finally {
      await h.close();
    }
  });
});
