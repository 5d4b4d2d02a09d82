import { generateKeyPairSync } from "node:crypto";
import { createDouyinProvider } from "../../common/vk-uni-pay/src/providers/douyin";
import type { CallOrder, ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";

/**
 * Douyin's own library calls against a recording fake of open.douyin.com: what each sends (access-token,
 * never Byte-Authorization; shares as a JSON string) and what each refuses before sending anything.
 */
const pem = (key: ReturnType<typeof generateKeyPairSync>["privateKey"], type: "pkcs8" | "spki") =>
  key.export({ type, format: "pem" } as never) as unknown as string;
const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
const config = Object.freeze({
  appId: "tt0000000000000001",
  secret: "app-secret-value",
  privateKey: pem(app.privateKey, "pkcs8"),
  platformPublicKey: pem(platform.publicKey, "spki"),
});

function fake(answers: Record<string, unknown>) {
  const calls: Array<{ path: string; headers: Record<string, string>; body: any }> = [];
  const runtime: ProviderRuntime = {
    now: () => 1_700_000_000_000,
    request: async (url, options) => {
      const path = new URL(url).pathname;
      calls.push({ path, headers: options.headers as Record<string, string>, body: JSON.parse(String(options.content)) });
      const answer = path === "/oauth/client_token/" ? { data: { access_token: "clt.1", expires_in: 7200, error_code: 0 }, message: "success" } : answers[path];
      return { status: 200, headers: {}, data: Buffer.from(JSON.stringify(answer ?? { err_no: 0, err_msg: "", data: {} })) };
    },
  };
  return { calls, runtime };
}

const provider = createDouyinProvider();
const paid: CallOrder = { outTradeNo: "T1", totalFee: 1000, refundFee: 300, status: "SUCCESS", transactionId: "ot1" };
const call = (
  name: string,
  params: Record<string, unknown>,
  runtime: ProviderRuntime,
  order: CallOrder | undefined = paid,
  cfg: Record<string, unknown> = config,
) => provider.callProvider!({ name, mode: "mp-toutiao", config: cfg, ...(order ? { order } : {}), params }, runtime).then((result) => result.data);
const callWhole = (name: string, params: Record<string, unknown>, runtime: ProviderRuntime) =>
  provider.callProvider!({ name, mode: "mp-toutiao", config, order: paid, params }, runtime);

describe("douyin provider calls", () => {
  it("declares createSettle, querySettle and auditRefund, each about one order", () => {
    expect(provider.capabilities.calls!.map((entry) => [entry.name, entry.order])).toEqual([
      ["douyin.createSettle", true],
      ["douyin.querySettle", true],
      ["douyin.auditRefund", true],
    ]);
  });

  it("createSettle sends settle_create with the access-token and the shares as a JSON string, and refuses shares past what refunds left", async () => {
    const { calls, runtime } = fake({ "/api/trade_basic/v1/developer/settle_create/": { err_no: 0, err_msg: "", data: { settle_id: "s1" } } });
    const params = { out_settle_no: "T1S", settle_params: [{ merchant_uid: "73001", amount: 700 }] };
    expect(await call("douyin.createSettle", params, runtime)).toEqual({ out_trade_no: "T1", out_settle_no: "T1S", settle_id: "s1" });
    const sent = calls.find((entry) => entry.path.endsWith("/settle_create/"))!;
    expect(sent.headers["access-token"]).toBe("clt.1");
    expect(sent.headers).not.toHaveProperty("Byte-Authorization");
    expect(sent.body).toEqual({ out_order_no: "T1", out_settle_no: "T1S", settle_desc: "结算", settle_params: '[{"merchant_uid":"73001","amount":700}]' });
    const before = calls.length;
    await expect(call("douyin.createSettle", { ...params, settle_params: [{ merchant_uid: "73001", amount: 701 }] }, runtime)).rejects.toMatchObject({
      errCode: "vk-pay-settle-amount-exceeds",
    });
    await expect(call("douyin.createSettle", { ...params, settle_params: [{ merchant_uid: "73001", amount: 1.5 }] }, runtime)).rejects.toMatchObject({
      errCode: "vk-pay-settle-params-invalid",
    });
    await expect(call("douyin.createSettle", { out_settle_no: "no spaces" }, runtime)).rejects.toMatchObject({ errCode: "vk-pay-out-settle-no-invalid" });
    await expect(call("douyin.createSettle", params, runtime, { ...paid, status: "NOTPAY" })).rejects.toMatchObject({ errCode: "vk-pay-order-not-paid" });
    expect(calls.length).toBe(before);
  });

  it("querySettle lists only the order's settlements", async () => {
    const { runtime } = fake({
      "/api/trade_basic/v1/developer/settle_query/": {
        err_no: 0,
        data: {
          settle_list: [
            { out_order_no: "T1", settle_id: "s1", settle_status: "SUCCESS" },
            { out_order_no: "T9", settle_id: "s9" },
          ],
        },
      },
    });
    expect(await call("douyin.querySettle", {}, runtime)).toEqual({
      out_trade_no: "T1",
      settles: [{ out_order_no: "T1", settle_id: "s1", settle_status: "SUCCESS" }],
    });
  });

  it("auditRefund answers only a refund of this order, refusing needs a message", async () => {
    const refundOf = (orderId: string) => ({
      "/api/trade_basic/v1/developer/refund_query/": { err_no: 0, data: { refund_list: [{ refund_id: "r1", order_id: orderId }] } },
    });
    const mine = fake(refundOf("ot1"));
    expect(await call("douyin.auditRefund", { refund_id: "r1", agree: false, deny_message: " 已发货 " }, mine.runtime)).toEqual({
      out_trade_no: "T1",
      refund_id: "r1",
      agree: false,
    });
    expect(mine.calls.find((entry) => entry.path.endsWith("/refund_audit_callback/"))!.body).toEqual({
      refund_id: "r1",
      refund_audit_status: 2,
      deny_message: "已发货",
    });
    const theirs = fake(refundOf("ot2"));
    await expect(call("douyin.auditRefund", { refund_id: "r1", agree: true }, theirs.runtime)).rejects.toMatchObject({ errCode: "vk-pay-refund-not-of-order" });
    expect(theirs.calls.some((entry) => entry.path.endsWith("/refund_audit_callback/"))).toBe(false);
    await expect(call("douyin.auditRefund", { refund_id: "r1", agree: false }, mine.runtime)).rejects.toMatchObject({ errCode: "vk-pay-deny-message-invalid" });
    await expect(call("douyin.auditRefund", { refund_id: "r1", agree: "yes" }, mine.runtime)).rejects.toMatchObject({ errCode: "vk-pay-agree-invalid" });
  });

  it("auditRefund hands an agreed refund to the core's ledger under Douyin's number for it, and a refused one not at all", async () => {
    const listed = (entry: Record<string, unknown>) =>
      fake({ "/api/trade_basic/v1/developer/refund_query/": { err_no: 0, data: { refund_list: [{ refund_id: "r1", order_id: "ot1", ...entry }] } } });
    expect(
      await callWhole("douyin.auditRefund", { refund_id: "r1", agree: true }, listed({ out_refund_no: "buyer-7", refund_total_amount: 300 }).runtime),
    ).toEqual({
      data: { out_trade_no: "T1", refund_id: "r1", agree: true },
      refund: { outRefundNo: "buyer-7", refundId: "r1", refundFee: 300, desc: expect.any(String) },
    });
    // A refund listed without a number of ours is kept under Douyin's refund_id, which its callback names too.
    expect((await callWhole("douyin.auditRefund", { refund_id: "r1", agree: true }, listed({ refund_total_amount: 300 }).runtime)).refund).toMatchObject({
      outRefundNo: "r1",
    });
    expect(
      await callWhole("douyin.auditRefund", { refund_id: "r1", agree: false, deny_message: "已发货" }, listed({ refund_total_amount: 300 }).runtime),
    ).not.toHaveProperty("refund");
  });

  it("is for the trade system only", async () => {
    const ecpay = { appId: "tt0000000000000001", version: 1, salt: "salt", token: "token" };
    await expect(call("douyin.createSettle", { out_settle_no: "T1S" }, fake({}).runtime, paid, ecpay)).rejects.toMatchObject({
      errCode: "vk-pay-douyin-call-trade-only",
    });
  });
});
