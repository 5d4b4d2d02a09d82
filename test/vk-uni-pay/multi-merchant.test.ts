import type { ApiDeps } from "../../common/vk-uni-pay/src/api/shared";
import { createPayment, type CreatePaymentParams } from "../../common/vk-uni-pay/src/api/create-payment";
import { queryPayment } from "../../common/vk-uni-pay/src/api/query-payment";
import { refund } from "../../common/vk-uni-pay/src/api/refund";
import { makeDeps, memoryDatabase } from "../helpers/deps";
import { findOrder } from "../../common/vk-uni-pay/src/core/orders";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createTestpay, signTestpay, type TestpayPlatform } from "../helpers/testpay";

/**
 * Multi-merchant mode (a `vk-pay-config` row per pid) and service-provider fields: chosen when the order
 * is created, stored on it, and used again by every later call and by the notification.
 */
describe("multi-merchant (pid) and service-provider orders", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let deps: ApiDeps;
  let platform: TestpayPlatform;
  let paid: string[];
  const params = (data: Partial<CreatePaymentParams["data"]> = {}): CreatePaymentParams => ({
    context: { PLATFORM: "h5", CLIENTIP: "10.0.0.1", SPACEINFO: { spaceId: "local" } },
    provider: "testpay",
    data: { out_trade_no: "T1", total_fee: 100, subject: "充值", type: "recharge", user_id: "u1", ...data },
  });
  const notify = (path: string, key: string, event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    return processNotification(
      { path, httpMethod: "POST", headers: { "x-signature": signTestpay(body, key) }, body, isBase64Encoded: false },
      "/vk-pay-notify/",
      {
        db: deps.db,
        now: deps.now,
        log: () => undefined,
        findProvider: deps.findProvider,
        providerNames: deps.providerNames,
        config: deps.config,
        runtime: deps.runtime,
        hooks: () => ({ paid: ({ order }) => void paid.push(order.out_trade_no) }),
      },
    );
  };

  beforeEach(async () => {
    raw = memoryDatabase();
    const testpay = createTestpay();
    platform = testpay.platform;
    paid = [];
    deps = makeDeps({
      db: raw.db,
      config: () => ({ notifyUrl: { local: "http://127.0.0.1:8787/http/vk-pay" }, testpay: { h5: { key: "file-key", mchId: "FILE" } } }),
      providers: [testpay.provider],
      hooks: () => ({ paid: () => undefined }),
    });
    await deps.db.collection("vk-pay-config").add({ _id: "shop-2", name: "二号店", testpay: { h5: { key: "shop-2-key", mchId: "SHOP2", appId: "APP2" } } });
  });
  afterEach(async () => {
    await raw.close();
  });

  it("creates, queries and refunds with the pid's merchant, and says so in the notification path", async () => {
    expect(await createPayment(params({ pid: "shop-2" }), deps)).toMatchObject({ code: 0 });
    expect(platform.calls[0]).toMatchObject({
      request: { config: { mchId: "SHOP2", key: "shop-2-key" }, notifyUrl: "http://127.0.0.1:8787/http/vk-pay/vk-pay-notify/testpay_h5/T1/pid/shop-2" },
    });
    expect(await findOrder("T1", deps.db)).toMatchObject({ pid: "shop-2", mch_id: "SHOP2", provider_appid: "APP2" });
    platform.payments.set("T1", { state: "SUCCESS", totalFee: 100, transactionId: "X" });
    expect(await queryPayment({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 0, data: { trade_state: "SUCCESS" } });
    expect(platform.calls[1]).toMatchObject({ method: "queryPayment", request: { config: { mchId: "SHOP2" } } });
    expect(await refund({ out_trade_no: "T1", refund_fee: 10 }, deps)).toMatchObject({ code: 0 });
    expect(platform.calls.find((call) => call.method === "refund")).toMatchObject({ request: { config: { mchId: "SHOP2" } } });
  });

  it("verifies a pid order's notification with that merchant's keys only, and refuses the pid of another order", async () => {
    await createPayment(params({ pid: "shop-2" }), deps);
    await createPayment(params({ out_trade_no: "T2" }), deps);
    const event = (outTradeNo: string, mchId: string) => ({ kind: "payment", state: "SUCCESS", outTradeNo, totalFee: 100, mchId, raw: {} });
    // Signed with the file's key but sent to the pid path: the pid's key does not verify it.
    expect((await notify("/vk-pay-notify/testpay_h5/T1/pid/shop-2", "file-key", event("T1", "SHOP2"))).statusCode).toBe(400);
    // Verified by shop-2 but about the file merchant's order: refused before anything changes.
    expect((await notify("/vk-pay-notify/testpay_h5/T2/pid/shop-2", "shop-2-key", event("T2", "FILE"))).statusCode).toBe(400);
    expect(await findOrder("T2", deps.db)).toMatchObject({ status: "NOTPAY" });
    expect((await notify("/vk-pay-notify/testpay_h5/T1/pid/shop-2", "shop-2-key", event("T1", "SHOP2"))).statusCode).toBe(200);
    expect(paid).toEqual(["T1"]);
    const log = (await deps.db.collection("vk-pay-notify-log").orderBy("create_date", "asc").get()).data.map((entry) => entry.reason ?? entry.outcome);
    expect(log).toEqual([expect.stringContaining("signature"), expect.stringContaining("merchant config shop-2 does not match"), "applied"]);
  });

  it("refuses an unknown or malformed pid before calling the provider", async () => {
    expect(await createPayment(params({ pid: "nobody" }), deps)).toMatchObject({ code: expect.any(Number), errCode: "vk-pay-merchant-pid-unknown" });
    expect(await createPayment(params({ pid: "../etc" }), deps)).toMatchObject({ errCode: "vk-pay-pid-invalid" });
    expect(platform.calls).toEqual([]);
    expect((await notify("/vk-pay-notify/testpay_h5/T1/pid/../x", "k", {})).statusCode).toBe(404);
  });

  it("keeps the sub-merchant of a service-provider order for every later call", async () => {
    await createPayment(params({ sub_mchid: "SUB-9", sub_appid: "wx-sub", app_auth_token: "token-1" } as never), deps);
    expect(platform.calls[0]).toMatchObject({ request: { partner: { subMchId: "SUB-9", subAppId: "wx-sub", appAuthToken: "token-1" } } });
    expect(await findOrder("T1", deps.db)).toMatchObject({ sub_mchid: "SUB-9", sub_appid: "wx-sub", app_auth_token: "token-1" });
    await queryPayment({ out_trade_no: "T1" }, deps);
    expect(platform.calls[1]).toMatchObject({ method: "queryPayment", request: { partner: { subMchId: "SUB-9" } } });
    // The service provider's key verifies every sub-merchant's notification: another sub-merchant's is refused.
    const event = (subMchId: string) => ({ kind: "payment", state: "SUCCESS", outTradeNo: "T1", totalFee: 100, mchId: "FILE", subMchId, raw: {} });
    expect((await notify("/vk-pay-notify/testpay_h5/T1", "file-key", event("SUB-8"))).statusCode).toBe(400);
    expect(await findOrder("T1", deps.db)).toMatchObject({ status: "NOTPAY" });
    expect((await notify("/vk-pay-notify/testpay_h5/T1", "file-key", event("SUB-9"))).statusCode).toBe(200);
  });
});
