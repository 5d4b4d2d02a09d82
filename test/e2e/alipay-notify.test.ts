import { generateKeyPairSync } from "node:crypto";
import { alipayForm, alipayTradeNotification, startAlipaySpace, type AlipaySpace } from "./helpers/alipay";

/**
 * Notifications nobody should trust, posted over HTTP to the order's own notify URL in the emulator, in key
 * mode and in certificate mode. Each is signed here with node:crypto (with Alipay's private key from the
 * sandbox's keys unless the case is a forgery), so every refusal below is for its stated reason alone: the
 * same notification built properly is accepted at the end. Refused means Alipay is not told `success` (it
 * delivers again), nothing moves, and the notification log says why.
 */
describe.each([
  ["key mode", false],
  ["certificate mode", true],
])("hostile Alipay notifications in %s", (_label, cert) => {
  let s: AlipaySpace;
  let outTradeNo: string;
  let notifyUrl: string;

  beforeAll(async () => {
    s = await startAlipaySpace({ cert });
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 900 });
    outTradeNo = created.data.out_trade_no;
    notifyUrl = (await s.order(outTradeNo)).notify_url;
    expect(notifyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/http\/vk-pay\/vk-pay-notify\/alipay_h5\//);
  }, 60_000);
  afterAll(() => s?.close());

  /** A TRADE_SUCCESS notification as Alipay sends it (see its 异步通知参数), with `overrides` on top. */
  const paid = (target: string, totalAmount: string, overrides: Record<string, string> = {}) =>
    alipayTradeNotification({ appId: s.app.appId, sellerId: s.alipay.keys.sellerId }, target, totalAmount, overrides);
  const post = async (url: string, body: string) => {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body });
    return { status: response.status, body: await response.text() };
  };
  const lastLog = async () =>
    ((await s.db.collection("vk-pay-notify-log").orderBy("create_date", "desc").limit(1).get()).data as Array<Record<string, any>>)[0]!;
  const logCount = async () => (await s.db.collection("vk-pay-notify-log").count()).total as number;

  const forger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;

  it.each([
    ["a signature by a key that is not Alipay's", () => alipayForm(paid(outTradeNo, "9.00"), forger), /alipay-signature-invalid/],
    [
      "a `+` in a signed value turned into a space on the way",
      () => {
        const form = alipayForm(paid(outTradeNo, "9.00"), s.alipayPrivateKeyPem);
        expect(form).toContain("1%2B1");
        return form.replace("1%2B1", "1+1");
      },
      /alipay-signature-invalid/,
    ],
    [
      "a notification for another app_id, signed by Alipay",
      () => alipayForm(paid(outTradeNo, "9.00", { app_id: "9021000000000099", auth_app_id: "9021000000000099" }), s.alipayPrivateKeyPem),
      /app id 9021000000000099 does not match/,
    ],
    ["total_amount one fen short", () => alipayForm(paid(outTradeNo, "8.99"), s.alipayPrivateKeyPem), /amount 899 does not match the order's 900/],
    ["an out_trade_no we never issued", () => alipayForm(paid(`NOSUCH${Date.now()}`, "9.00"), s.alipayPrivateKeyPem), /unknown out_trade_no/],
  ])("refuses %s: no `success`, the order and the balance stay as they were, the log says why", async (_case, build, reason) => {
    const logged = await logCount();
    const reply = await post(notifyUrl, build());
    expect(reply.body).not.toBe("success");
    expect(reply).toEqual({ status: 400, body: "fail" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    expect((await s.info()).balance).toBe(0);
    expect(await logCount()).toBe(logged + 1);
    expect(await lastLog()).toMatchObject({ outcome: "refused", reason: expect.stringMatching(reason) });
  });

  it("accepts the same notification built properly, which shows each refusal above was for its own reason", async () => {
    const reply = await post(notifyUrl, alipayForm(paid(outTradeNo, "9.00"), s.alipayPrivateKeyPem));
    expect(reply).toEqual({ status: 200, body: "success" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    expect((await s.info()).balance).toBe(900);
  });

  it("applies one of 20 identical notifications arriving at once, and answers every one so Alipay stops", async () => {
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 2500 });
    const target = created.data.out_trade_no as string;
    const url = (await s.order(target)).notify_url;
    const form = alipayForm(paid(target, "25.00"), s.alipayPrivateKeyPem);
    const before = (await s.info()).balance;
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(url, form)));
    expect((await s.info()).balance).toBe(before + 2500);
    const outcomes = await s.outcomes(target);
    expect(outcomes.filter((outcome) => outcome === "applied")).toHaveLength(1);
    expect(outcomes).toHaveLength(20);
    // A duplicate is a success for Alipay too; anything refused would only be delivered again later.
    expect(replies.filter((reply) => reply.body === "success").length).toBe(
      outcomes.filter((outcome) => outcome === "applied" || outcome === "duplicate").length,
    );
    expect(replies.every((reply) => reply.body === "success")).toBe(true);
    const credits = (await s.db.collection("vk-pay-balance-log").where({ out_trade_no: target }).get()).data;
    expect(credits).toHaveLength(1);
  });
});
