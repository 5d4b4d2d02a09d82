import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { BASE, v3Notification, writeUniPayConfig } from "./helpers/wxpay";

/**
 * 商家转账 by a service provider (服务商 1900000100) from its sub-merchant 1900000201, end to end: the
 * transfer sub-config names `subMchId`, so vk-pay sends, queries and cancels over the partner paths; the
 * sandbox keeps the bill only with that sub-merchant, so a call on any other path or for any other
 * sub-merchant would find nothing. The payee confirms with requestMerchantTransfer's partner options,
 * and the notification, sealed with the provider's APIv3 key, settles the ledger once.
 */
const SP_MCHID = "1900000100";
const SUB = { mchId: "1900000201", appId: "wx0000000000000201" };

function partnerTransferConfig(keys: WxpaySandboxKeys) {
  return {
    transfer: {
      ...wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`, { merchant: "partner" }),
      subMchId: SUB.mchId,
      subAppId: SUB.appId,
      defaultSceneId: "1000",
      defaultSceneReportInfos: [
        { info_type: "活动名称", info_content: "子商户活动" },
        { info_type: "奖励说明", info_content: "子商户奖励" },
      ],
    },
  };
}

describe("WeChat Pay service-provider transfers end to end through the emulator and the sandbox", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let admin: string;
  let payee: string;
  let serial = 0;
  const billNo = () => `PTB${Date.now()}${++serial}`;

  const client = async (url: string, data: Record<string, unknown>, token = admin) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { url, data, uniIdToken: token }, clientInfo: { PLATFORM: "mp-weixin", APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const ledger = async (outBillNo: string) => (await env.db.collection("vk-pay-transfers").doc(outBillNo).get()).data[0];

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareDataDir: async (dataDir) => writeUniPayConfig(dataDir, partnerTransferConfig(await loadOrCreateWxpaySandboxKeys(dataDir))),
    });
    await env.db.collection("uni-id-users").add([
      { _id: "boss", role: ["admin"], status: 0 },
      { _id: "payee1", role: [], status: 0 },
    ]);
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
    payee = await mintToken(TEST_SECRET, { uid: "payee1" });
  });
  afterAll(() => env.close());

  it("an admin transfers from the sub-merchant, the payee confirms with the partner options, and the notification settles it once", async () => {
    const outBillNo = billNo();
    const created = await client("admin/transfer", {
      provider: "wxpay",
      out_bill_no: outBillNo,
      openid: "o-sub-payee-1",
      transfer_amount: 100,
      transfer_remark: "子商户奖励",
      payee_user_id: "payee1",
    });
    expect(created).toMatchObject({
      code: 0,
      data: { state: "WAIT_USER_CONFIRM", options: { mchId: SP_MCHID, subMchId: SUB.mchId, subAppId: SUB.appId, package: expect.any(String) } },
    });
    expect(await env.control("wxpay", "transfer-requests", { mchid: SP_MCHID, out_bill_no: outBillNo })).toMatchObject({
      ok: true,
      requests: 1,
      sub_mchid: SUB.mchId,
      appid: SUB.appId,
    });
    expect(await ledger(outBillNo)).toMatchObject({ status: "WAIT_USER_CONFIRM", sub_mchid: SUB.mchId });
    expect(await client("pay/transfer/pending", {}, payee)).toMatchObject({
      code: 0,
      data: { rows: [{ out_bill_no: outBillNo, options: created.data.options }] },
    });
    expect(await client("admin/queryTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    expect(await client("admin/queryTransfer", { transfer_bill_no: created.data.transfer_bill_no })).toMatchObject({
      code: 0,
      data: { out_bill_no: outBillNo },
    });

    expect(await env.control("wxpay", "transfer-confirm", { mchid: SP_MCHID, out_bill_no: outBillNo })).toMatchObject({ ok: true, state: "SUCCESS" });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", sub_mchid: SUB.mchId, final_date: expect.any(Number) });
    await env.control("wxpay", "redeliver", { mchid: SP_MCHID, out_bill_no: outBillNo });
    await env.wxpay.idle();
    const log = (await env.db.collection("vk-pay-notify-log").where({ out_bill_no: outBillNo }).get()).data.map((entry: any) => entry.outcome);
    expect(log).toEqual(["applied", "duplicate"]);
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 4004 });
  });

  it("cancels a waiting sub-merchant bill over the partner cancel path", async () => {
    const outBillNo = billNo();
    expect(await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-sub-payee-2", transfer_amount: 50 })).toMatchObject({
      code: 0,
    });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "CANCELING" } });
    await env.wxpay.idle();
    expect(await ledger(outBillNo)).toMatchObject({ status: "CANCELLED", fail_reason: "MCH_CANCEL" });
  });

  it("refuses a genuine-looking notification about another sub-merchant, and accepts the bill's own", async () => {
    const outBillNo = billNo();
    const created = await client("admin/transfer", { provider: "wxpay", out_bill_no: outBillNo, openid: "o-sub-payee-4", transfer_amount: 70 });
    expect(created).toMatchObject({ code: 0 });
    const { notify_url: notifyUrl } = await env.control("wxpay", "transfer-requests", { mchid: SP_MCHID, out_bill_no: outBillNo });
    const keys = env.wxpay.keys;
    const notify = (subMchid: string) =>
      v3Notification({
        v3Key: keys.partner.v3Key,
        signer: { privateKeyPem: keys.wxpayPublicKeyPrivatePem, serial: keys.wxpayPublicKeyId },
        eventType: "MCHTRANSFER.BILL.FINISHED",
        originalType: "mch_payment",
        resource: {
          mch_id: SP_MCHID,
          sub_mchid: subMchid,
          out_bill_no: outBillNo,
          transfer_bill_no: created.data.transfer_bill_no,
          state: "SUCCESS",
          transfer_amount: 70,
          openid: "o-sub-payee-4",
          update_time: "2026-12-07T12:01:00+08:00",
        },
      });
    const post = async (message: { body: string; headers: Record<string, string> }) => (await fetch(notifyUrl, { method: "POST", ...message })).status;
    expect(await post(notify("1900000202"))).toBeGreaterThanOrEqual(400);
    expect(await ledger(outBillNo)).toMatchObject({ status: "WAIT_USER_CONFIRM" });
    expect(await post(notify(SUB.mchId))).toBe(200);
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", sub_mchid: SUB.mchId });
  });

  it("retries a lost answer under the same out_bill_no to the same partner bill", async () => {
    const outBillNo = billNo();
    const body = { provider: "wxpay", out_bill_no: outBillNo, openid: "o-sub-payee-3", transfer_amount: 60 };
    await env.control("wxpay", "drop-response", { count: 1, path: "/partner/transfer-bills" });
    expect(await client("admin/transfer", body)).toMatchObject({ code: 3002 });
    const retried = await client("admin/transfer", body);
    expect(retried).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
    expect(await env.control("wxpay", "transfer-requests", { mchid: SP_MCHID, out_bill_no: outBillNo })).toMatchObject({
      requests: 2,
      transfer_bill_no: retried.data.transfer_bill_no,
    });
  });
});
