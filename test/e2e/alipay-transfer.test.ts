import { generateKeyPairSync } from "node:crypto";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { alipayForm } from "./helpers/alipay";

/**
 * Alipay 单笔转账 end to end: an admin transfers through vk-pay in certificate mode, the sandbox answers
 * synchronously, the ledger records SUCCESS at once (no payee confirmation), and the common query reads it.
 */
describe("Alipay transfers end to end through the emulator and the sandbox", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let admin: string;
  let serial = 0;
  const billNo = () => `AT${Date.now()}${++serial}`;

  const client = async (url: string, data: Record<string, unknown>, token = admin) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { url, data, uniIdToken: token }, clientInfo: { PLATFORM: "web", APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const ledger = async (outBillNo: string) => (await env.db.collection("vk-pay-transfers").doc(outBillNo).get()).data[0];

  beforeAll(async () => {
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add({ _id: "boss", role: ["admin"], status: 0 });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it("transfers to a 2088 user id (seed shape) synchronously, once per out_bill_no, and queries it", async () => {
    const outBillNo = billNo();
    const body = { provider: "alipay", out_trade_no: outBillNo, payee_account: "2088000000000001", money: 150, desc: "活动奖励" };
    const created = await client("admin/transfer", body);
    expect(created).toMatchObject({ code: 0, data: { state: "SUCCESS", transfer_amount: 150, transfer_bill_no: expect.any(String) } });
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", payee_account: "2088000000000001", final_date: expect.any(Number) });
    expect(await client("admin/transfer", body)).toMatchObject({ code: 0, data: { state: "SUCCESS", transfer_bill_no: created.data.transfer_bill_no } });
    expect(await client("admin/queryTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    expect(await client("admin/cancelTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 4004 });
  });

  it("infers ALIPAY_LOGON_ID for a phone number, which needs the real name, and takes vk-uni-pay's payee_info", async () => {
    expect(await client("admin/transfer", { provider: "alipay", out_bill_no: billNo(), payee_account: "13800000000", transfer_amount: 100 })).toMatchObject({
      code: 1010,
    });
    expect(
      await client("admin/transfer", {
        provider: "alipay",
        out_bill_no: billNo(),
        payee_account: "13800000000",
        payee_real_name: "张三",
        transfer_amount: 100,
      }),
    ).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    expect(
      await client("admin/transfer", {
        provider: "alipay",
        out_bill_no: billNo(),
        transfer_amount: 100,
        order_title: "佣金",
        payee_info: { identity: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", identity_type: "ALIPAY_OPEN_ID" },
      }),
    ).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
  });

  it("spends the number as FAIL when Alipay refuses, and refuses key mode with a clear error", async () => {
    const refused = billNo();
    expect(await client("admin/transfer", { provider: "alipay", out_bill_no: refused, payee_account: "2088000000000404", transfer_amount: 100 })).toMatchObject(
      {
        code: 3001,
      },
    );
    expect(await ledger(refused)).toMatchObject({ status: "FAIL", fail_reason: "PAYEE_NOT_EXIST" });
    const keyMode = billNo();
    expect(
      await client("admin/transfer", { provider: "alipay", out_bill_no: keyMode, payee_account: "2088000000000001", transfer_amount: 100, platform: "h5" }),
    ).toMatchObject({
      errCode: "vk-pay-alipay-transfer-needs-cert",
    });
    // Refused before sending: nothing is kept, so the number can be used once the config is fixed.
    expect(await ledger(keyMode)).toBeUndefined();
  });

  it("pays once when Alipay's answer is lost after it transferred: the retry under the same out_biz_no reaches the same transfer", async () => {
    const outBillNo = billNo();
    const body = { provider: "alipay", out_bill_no: outBillNo, payee_account: "2088000000000003", transfer_amount: 130 };
    expect(await env.control("alipay", "drop-response", { count: 1, method: "alipay.fund.trans.uni.transfer" })).toMatchObject({ ok: true });
    expect(await client("admin/transfer", body)).toMatchObject({ code: 3002 });
    expect(await ledger(outBillNo)).toMatchObject({ status: "ACCEPTED", send_state: "unknown" });
    // Alipay made the transfer all the same.
    const atAlipay = await env.control("alipay", "transfer-requests", { out_biz_no: outBillNo });
    expect(atAlipay).toMatchObject({ ok: true, requests: 1, trans_fen: 130 });
    // Other terms under the number are refused; the same terms send it again, to the same transfer.
    expect(await client("admin/transfer", { ...body, transfer_amount: 131 })).toMatchObject({ code: 4002 });
    const retried = await client("admin/transfer", body);
    expect(retried).toMatchObject({ code: 0, data: { state: "SUCCESS", transfer_bill_no: atAlipay.order_id } });
    expect(await env.control("alipay", "transfer-requests", { out_biz_no: outBillNo })).toMatchObject({ requests: 2, order_id: atAlipay.order_id });
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", send_state: "sent", transfer_amount: 130 });
    // Settled: a further call answers from the ledger and sends nothing.
    expect(await client("admin/transfer", body)).toMatchObject({ code: 0, data: { transfer_bill_no: atAlipay.order_id } });
    expect(await env.control("alipay", "transfer-requests", { out_biz_no: outBillNo })).toMatchObject({ requests: 2 });
  });

  it("settles a transfer whose answer was lost by alipay.fund.trans.common.query, without sending it again", async () => {
    const outBillNo = billNo();
    const body = { provider: "alipay", out_bill_no: outBillNo, payee_account: "2088000000000004", transfer_amount: 140 };
    await env.control("alipay", "drop-response", { count: 1, method: "alipay.fund.trans.uni.transfer" });
    expect(await client("admin/transfer", body)).toMatchObject({ code: 3002 });
    expect(await client("admin/queryTransfer", { out_bill_no: outBillNo })).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    expect(await client("admin/transfer", body)).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    expect(await env.control("alipay", "transfer-requests", { out_biz_no: outBillNo })).toMatchObject({ requests: 1 });
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", send_state: "sent" });
  });

  it("accepts alipay.fund.trans.order.changed at the application gateway, verified and bound to the transfer", async () => {
    const outBillNo = billNo();
    const created = await client("admin/transfer", { provider: "alipay", out_bill_no: outBillNo, payee_account: "2088000000000002", transfer_amount: 120 });
    expect(created).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    const gateway = `${env.url}/http/vk-pay/vk-pay-notify/alipay_transfer`;
    const notice = (biz: Record<string, unknown>, key = env.alipay.keys.alipayCertPrivateKeyPem) =>
      alipayForm(
        {
          msg_method: "alipay.fund.trans.order.changed",
          app_id: env.alipay.keys.certApp.appId,
          version: "1.1",
          utc_timestamp: String(Date.now()),
          notify_id: `n${Date.now()}`,
          charset: "utf-8",
          biz_content: JSON.stringify({ out_biz_no: outBillNo, order_id: created.data.transfer_bill_no, status: "SUCCESS", trans_amount: "1.20", ...biz }),
        },
        key,
      );
    const post = async (body: string) => {
      const response = await fetch(gateway, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      return { status: response.status, text: await response.text() };
    };
    expect(await post(notice({ trans_amount: "12.00" }))).toMatchObject({ status: 400, text: "fail" });
    expect(
      await post(notice({}, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string)),
    ).toMatchObject({ status: 400, text: "fail" });
    expect(await post(notice({}))).toMatchObject({ status: 200, text: "success" });
    const log = (await env.db.collection("vk-pay-notify-log").where({ out_bill_no: outBillNo }).get()).data.map((entry: any) => entry.outcome);
    // The forged signature is refused before anything is read, so its log row names no transfer.
    expect(log).toEqual(["refused", "duplicate"]);
    expect(await ledger(outBillNo)).toMatchObject({ status: "SUCCESS", transfer_amount: 120 });
  });
});
