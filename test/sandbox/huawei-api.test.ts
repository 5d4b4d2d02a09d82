import { constants, createPrivateKey, randomBytes, sign } from "node:crypto";
import { huaweiSignString, parseSm2PublicKey, sm2Verify } from "../../common/vk-uni-pay/src/providers/huawei/protocol";
import { createHuaweiSandbox, type HuaweiSandbox } from "../../scripts/sandbox/huawei";
import { mountSandbox, type Mounted } from "./helpers/mounted";

/**
 * The Huawei sandbox checks merchant requests as Payment Kit's pages describe PayMercAuth, and signs every
 * answer. The client here signs with node:crypto directly (PSS, salt 32), so the sandbox is tested on its own.
 */
let m: Mounted<HuaweiSandbox>;
beforeAll(async () => {
  m = await mountSandbox("huawei", undefined, (dataDir) => createHuaweiSandbox({ dataDir, persist: false, notifyRetryDelaysMs: [10], log: () => undefined }));
});
afterAll(() => m?.close());

const pss = (content: string) =>
  sign("sha256", Buffer.from(content), {
    key: createPrivateKey(m.sandbox.keys.merchantPrivateKeyPem),
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  }).toString("base64");

type Tamper = { authId?: string; time?: number; bodySign?: string; headerSign?: string; signedPath?: string };

async function call(method: "GET" | "POST", path: string, body?: Record<string, unknown>, tamper: Tamper = {}) {
  const header: Record<string, unknown> = {
    callerId: m.sandbox.keys.mchId,
    traceId: randomBytes(8).toString("hex"),
    time: tamper.time ?? Date.now(),
    authId: tamper.authId ?? m.sandbox.keys.authId,
    bodySign: tamper.bodySign ?? pss(method === "GET" ? (tamper.signedPath ?? path) : huaweiSignString(body!)),
  };
  header.headerSign = tamper.headerSign ?? pss(huaweiSignString(header));
  const response = await fetch(`${m.base}${path}`, {
    method,
    headers: { "content-type": "application/json", PayMercAuth: JSON.stringify(header) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  const { sign: signature, ...rest } = answer;
  // Every answer, refusals included, is SM2-signed by the platform key.
  expect(sm2Verify(huaweiSignString(rest), Buffer.from(String(signature), "base64"), parseSm2PublicKey(m.sandbox.keys.platformPublicKeyHex))).toBe(true);
  return { status: response.status, answer };
}

const order = (no: string, totalAmount = 500) => ({
  appId: m.sandbox.keys.appId,
  mercOrderNo: no,
  mercNo: m.sandbox.keys.mchId,
  tradeSummary: "测试",
  totalAmount,
  currency: "CNY",
  callbackUrl: "http://127.0.0.1:9/notify",
});

describe("Huawei sandbox: PayMercAuth and the trade API", () => {
  it("creates a preorder for a correctly signed request, and refuses each broken part of PayMercAuth", async () => {
    expect(await call("POST", "/api/v2/aggr/preorder/create/fa", order("HWS-1"))).toMatchObject({
      status: 200,
      answer: { resultCode: "000000", prepayId: expect.any(String) },
    });
    for (const [tamper, subCode] of [
      [{ bodySign: pss("something else") }, "SIGN_VERIFY_FAILED"],
      [{ headerSign: pss("authId=x") }, "SIGN_VERIFY_FAILED"],
      [{ authId: "999" }, "AUTH_ID_INVALID"],
      [{ time: Date.now() - 10 * 60_000 }, "TIME_EXPIRED"],
    ] as const) {
      expect(await call("POST", "/api/v2/aggr/preorder/create/fa", order("HWS-2"), tamper)).toMatchObject({ status: 401, answer: { subCode } });
    }
    expect(m.sandbox.state.trade("HWS-2")).toBeUndefined();
  });

  it("signs a GET by its path: the query answers, a bodySign over another path is refused", async () => {
    expect(await call("GET", "/api/v2/aggr/transactions/merc-orders/HWS-1")).toMatchObject({
      status: 200,
      answer: { orderStatus: "TRX_APPLY", totalAmount: 500 },
    });
    expect(
      await call("GET", "/api/v2/aggr/transactions/merc-orders/HWS-1", undefined, { signedPath: "/api/v2/aggr/transactions/merc-orders/HWS-9" }),
    ).toMatchObject({
      status: 401,
    });
    expect(await call("GET", "/api/v2/aggr/transactions/merc-orders/NOPE")).toMatchObject({ status: 404, answer: { subCode: "TRX100010" } });
  });

  it("refunds a number once, refuses a concurrent refund and one over the paid amount", async () => {
    await call("POST", "/api/v2/aggr/preorder/create/app", order("HWS-3", 1000));
    expect((await m.control("pay", { out_trade_no: "HWS-3" })).json.ok).toBe(true);
    const refund = (no: string, refundAmount: number) =>
      call("POST", "/api/v1/aggr/transactions/refunds", {
        mercOrderNo: "HWS-3",
        mercRefundOrderNo: no,
        refundAmount,
        callbackUrl: "http://127.0.0.1:9/notify",
      });
    const first = await refund("R1", 400);
    expect(first).toMatchObject({ status: 200, answer: { refundOrderStatus: "REFUND_CHL_PROC", sysRefundOrderNo: expect.any(String) } });
    expect((await refund("R1", 400)).answer.sysRefundOrderNo).toBe(first.answer.sysRefundOrderNo);
    expect(await refund("R2", 100)).toMatchObject({ status: 400, answer: { subCode: "REFUND_CONCURRENT" } });
    expect((await m.control("refund-result", { out_refund_no: "R1" })).json.ok).toBe(true);
    expect(await refund("R3", 601)).toMatchObject({ status: 400, answer: { subCode: "REFUND_AMOUNT_EXCEED" } });
    expect(await call("GET", `/api/v1/aggr/transactions/refunds/orders/${String(first.answer.sysRefundOrderNo)}`)).toMatchObject({
      answer: { refundOrderStatus: "REFUND_SUCCESS", mercRefundOrderNo: "R1", refundAmount: 400 },
    });
    await m.sandbox.idle();
  });
  it("serves a service provider's sub-merchant under /partner/ only, naming spMercNo and subMercNo", async () => {
    const partnerOrder = (no: string, subMercNo = m.sandbox.keys.subMchId) => {
      const { appId, mercNo, ...rest } = order(no);
      return { ...rest, spAppId: appId, spMercNo: mercNo, subMercNo };
    };
    expect(await call("POST", "/api/v2/partner/aggr/preorder/create/app", partnerOrder("HWP-1"))).toMatchObject({
      status: 200,
      answer: { prepayId: expect.any(String) },
    });
    expect(await call("POST", "/api/v2/partner/aggr/preorder/create/app", partnerOrder("HWP-2", "101723200999"))).toMatchObject({
      status: 400,
      answer: { subCode: "SUB_MERC_NO_INVALID" },
    });
    expect(await call("POST", "/api/v2/partner/aggr/preorder/create/app", order("HWP-3"))).toMatchObject({ status: 400 });
    expect(await call("POST", "/api/v2/aggr/preorder/create/app", partnerOrder("HWP-4"))).toMatchObject({ status: 400 });
    expect(await call("GET", "/api/v2/partner/aggr/transactions/merc-orders/HWP-1")).toMatchObject({
      status: 200,
      answer: { spMercNo: m.sandbox.keys.mchId, subMercNo: m.sandbox.keys.subMchId, orderStatus: "TRX_APPLY" },
    });
    // A partner trade is not the direct merchant's, nor a direct trade the partner API's.
    expect(await call("GET", "/api/v2/aggr/transactions/merc-orders/HWP-1")).toMatchObject({ status: 404 });
    expect(await call("GET", "/api/v2/partner/aggr/transactions/merc-orders/HWS-1")).toMatchObject({ status: 404 });
    expect((await m.control("pay", { out_trade_no: "HWP-1" })).json.ok).toBe(true);
    const body = { mercOrderNo: "HWP-1", mercRefundOrderNo: "HWP-1-R1", refundAmount: 100, callbackUrl: "http://127.0.0.1:9/notify" };
    expect(await call("POST", "/api/v1/aggr/transactions/refunds", body)).toMatchObject({ status: 404 });
    const refunded = await call("POST", "/api/v1/partner/aggr/transactions/refunds", body);
    expect(refunded).toMatchObject({ status: 200, answer: { refundOrderStatus: "REFUND_CHL_PROC" } });
    const no = String(refunded.answer.sysRefundOrderNo);
    expect(await call("GET", `/api/v1/partner/aggr/transactions/refunds/orders/${no}`)).toMatchObject({ status: 200 });
    expect(await call("GET", `/api/v1/aggr/transactions/refunds/orders/${no}`)).toMatchObject({ status: 404 });
    await m.sandbox.idle();
  });
});
