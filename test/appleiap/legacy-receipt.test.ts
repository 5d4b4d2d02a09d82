import { create } from "../../common/vk-uni-pay/src/api/create-payment";
import { proveClientPayment } from "../../common/vk-uni-pay/src/api/verify-client-proof";
import { describeReceiptStatus } from "../../common/vk-uni-pay/src/providers/appleiap/receipt";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { BUNDLE, makeAppleWorld, type AppleWorld } from "./apple-world";

/** Legacy verifyReceipt (StoreKit 1): production first, 21007 to the sandbox, retries, the status map. */

const URLS = { production: "https://buy.apple.test/verifyReceipt", sandbox: "https://sandbox.apple.test/verifyReceipt" };
let script: Array<{ url: string; answer: Record<string, unknown> }>;
let calls: Array<{ url: string; body: Record<string, unknown> }>;
let world: AppleWorld;

const request: ProviderRuntime["request"] = async (url, options) => {
  calls.push({ url, body: JSON.parse(String(options.content)) });
  const next = script.shift();
  if (!next || next.url !== url) throw new Error(`unexpected call to ${url}`);
  return { status: 200, headers: {}, data: Buffer.from(JSON.stringify(next.answer)) };
};

beforeEach(async () => {
  script = [];
  calls = [];
  world = await makeAppleWorld({
    request: (url, options) => request(url, options),
    extra: {
      password: "shared-secret",
      baseUrl: { "buy.itunes.apple.com": "https://buy.apple.test", "sandbox.itunes.apple.com": "https://sandbox.apple.test" },
    },
  });
});
afterEach(() => world.deps.close());

async function order(outTradeNo: string): Promise<string> {
  const created = await create(
    {
      context: { PLATFORM: "app-plus", SPACEINFO: { spaceId: "local" } },
      provider: "appleiap",
      data: { out_trade_no: outTradeNo, type: "recharge", user_id: "u1", item: { product_id: "coins_60" } } as never,
    },
    world.deps,
  );
  return (created.orderInfo as { appAccountToken: string }).appAccountToken;
}

const validReceipt = (token: string, extra: Record<string, unknown> = {}) => ({
  status: 0,
  environment: "Sandbox",
  receipt: {
    bundle_id: BUNDLE,
    in_app: [
      {
        transaction_id: "1000000000000001",
        original_transaction_id: "1000000000000001",
        product_id: "coins_60",
        quantity: "1",
        purchase_date_ms: "1765000000000",
        app_account_token: token,
        ...extra,
      },
    ],
  },
});

const prove = (outTradeNo: string) =>
  proveClientPayment(
    "appleiap.verifyReceipt",
    { out_trade_no: outTradeNo, user_id: "u1", transaction_receipt: "MIIT...base64", transaction_identifier: "1000000000000001" },
    world.deps,
  );

describe("legacy verifyReceipt", () => {
  it("a sandbox receipt answered 21007 by production is verified on the sandbox, with the password", async () => {
    const token = await order("APPLELEG1");
    script = [
      { url: URLS.production, answer: { status: 21007 } },
      { url: URLS.sandbox, answer: validReceipt(token) },
    ];
    expect(await prove("APPLELEG1")).toMatchObject({ status: "SUCCESS", applied: true });
    expect(calls.map((call) => call.url)).toEqual([URLS.production, URLS.sandbox]);
    expect(calls[0]!.body).toEqual({ "receipt-data": "MIIT...base64", password: "shared-secret", "exclude-old-transactions": false });
    expect(world.paid).toEqual(["APPLELEG1"]);
  });

  it("21007 is refused when the config does not accept sandbox purchases", async () => {
    await order("APPLELEG2");
    (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!.sandbox = false;
    script = [{ url: URLS.production, answer: { status: 21007 } }];
    await expect(prove("APPLELEG2")).rejects.toMatchObject({ code: 1016, detail: expect.stringContaining("21007") });
  });

  it("21005 (server unavailable) and a retryable 211xx are tried again; a non-retryable 211xx is not", async () => {
    const token = await order("APPLELEG3");
    script = [
      { url: URLS.production, answer: { status: 21005 } },
      { url: URLS.production, answer: { status: 21100, "is-retryable": true } },
      { url: URLS.production, answer: { ...validReceipt(token), environment: "Production" } },
    ];
    expect(await prove("APPLELEG3")).toMatchObject({ status: "SUCCESS" });
    await order("APPLELEG4");
    script = [{ url: URLS.production, answer: { status: 21150, "is-retryable": false } }];
    await expect(prove("APPLELEG4")).rejects.toMatchObject({ code: 1016 });
  });

  it("a cancelled purchase, or a receipt of another app, is refused", async () => {
    const token = await order("APPLELEG5");
    script = [{ url: URLS.production, answer: { ...validReceipt(token, { cancellation_date_ms: "1765000001000" }), environment: "Production" } }];
    await expect(prove("APPLELEG5")).rejects.toMatchObject({ code: 1016 });
    script = [{ url: URLS.production, answer: { ...validReceipt(token), environment: "Production", receipt: { bundle_id: "com.other", in_app: [] } } }];
    await expect(prove("APPLELEG5")).rejects.toMatchObject({ code: 1016 });
  });

  it("every documented status has a meaning", () => {
    for (const status of [21000, 21001, 21002, 21003, 21004, 21005, 21006, 21007, 21008, 21009, 21010, 21100, 21199]) {
      expect(describeReceiptStatus(status)).not.toBe("undocumented status");
    }
    expect(describeReceiptStatus(21011)).toBe("undocumented status");
  });
});
