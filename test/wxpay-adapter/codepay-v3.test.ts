import { ProviderRejectedError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import type { CreateRequest, ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { wxpaySandboxConfig } from "../../scripts/sandbox/pki";
import { newOrderNo, startHarness, type Harness } from "../sandbox/helpers/wxpay-harness";
import { memoryDatabase } from "./fake-wechat";

/**
 * Pay codes over API v3 (`/v3/pay/transactions/codepay`, `.../reverse`) against the WeChat Pay sandbox over
 * real HTTP, for a merchant configured with v3 keys only. The sandbox's auth codes say what the payer does
 * (scripts/sandbox/wxpay/micropay.ts); the wait between queries is recorded, not slept.
 */

describe("wxpay pay codes over API v3, against the sandbox", () => {
  let harness: Harness;
  let database: ReturnType<typeof memoryDatabase>;
  let config: Record<string, unknown>;
  let waits: number[];
  /** Paths whose answer is thrown away after the sandbox acted on the request: a response lost on the way back. */
  let loseAnswerOf: Set<string>;
  const paths: string[] = [];

  const runtime: ProviderRuntime = {
    now: () => Date.now(),
    async request(url, options) {
      const response = await fetch(url, {
        method: String(options.method),
        headers: options.headers as Record<string, string>,
        body: typeof options.content === "string" ? options.content : undefined,
      });
      const path = new URL(url).pathname.replace(/^\/__sandbox\/wxpay/, "");
      paths.push(path);
      const data = Buffer.from(await response.arrayBuffer());
      if (loseAnswerOf.delete(path)) throw new Error("socket hang up");
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      return { status: response.status, headers, data };
    },
  };

  const provider = () =>
    createWxpayProvider({
      database: () => database.db,
      log: () => undefined,
      wait: async (ms) => void waits.push(ms),
    });
  const request = (authCode: string, overrides: Partial<CreateRequest> = {}): CreateRequest => ({
    mode: "codepay",
    config,
    outTradeNo: newOrderNo("P"),
    totalFee: 800,
    subject: "门店收银",
    notifyUrl: `${harness.receiver.url}/none`,
    clientIp: "203.0.113.9",
    authCode,
    storeId: "SZ-001",
    ...overrides,
  });
  const tradeOf = (outTradeNo: string) => harness.sandbox.state.order(harness.sandbox.keys.mchId, outTradeNo);

  beforeAll(async () => {
    harness = await startHarness({ signMode: "public_key" });
    // Only API v3 material: no `key`, no client certificate for v2's /secapi.
    const { key: _v2Key, ...v3Only } = wxpaySandboxConfig(harness.sandbox.keys, harness.base);
    config = Object.freeze({ ...v3Only, codepayPollIntervalMs: 2000, codepayMaxWaitMs: 12_000 });
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    database = memoryDatabase();
    waits = [];
    loseAnswerOf = new Set();
    paths.length = 0;
  });
  afterEach(() => database.close());

  it("pays at once over /v3/pay/transactions/codepay: the store goes in scene_info, no query, no wait", async () => {
    const asked = request("134567890123456789");
    const result = await provider().createPayment(asked, runtime);
    expect(result).toMatchObject({ state: "SUCCESS", totalFee: 800, transactionId: expect.any(String), orderInfo: { tradeState: "SUCCESS" } });
    expect(paths).toEqual(["/v3/pay/transactions/codepay"]);
    expect(tradeOf(asked.outTradeNo)).toMatchObject({ trade_type: "MICROPAY", trade_state: "SUCCESS", auth_code: "134567890123456789" });
    expect(tradeOf(asked.outTradeNo)!.version).toBeUndefined();
    expect(waits).toEqual([]);
  });

  it("202 USERPAYING: queries at the configured interval until the payer confirms", async () => {
    const asked = request("143567890123456789");
    const result = await provider().createPayment(asked, runtime);
    expect(result).toMatchObject({ state: "SUCCESS", totalFee: 800 });
    expect(waits).toEqual([2000, 2000, 2000]);
    expect(paths.filter((path) => path.endsWith("/reverse"))).toEqual([]);
  });

  it("a payer who never confirms: after the configured wait the order is reversed, so it can never be charged", async () => {
    const asked = request("113567890123456789");
    const result = await provider().createPayment(asked, runtime);
    expect(result).toMatchObject({ state: "CLOSED", orderInfo: { tradeState: "CLOSED" } });
    expect(waits).toEqual([2000, 2000, 2000, 2000, 2000, 2000]);
    expect(paths.at(-1)).toBe(`/v3/pay/transactions/out-trade-no/${asked.outTradeNo}/reverse`);
    expect(tradeOf(asked.outTradeNo)).toMatchObject({ trade_state: "REVOKED" });
  });

  it("a lost answer is an unknown outcome: the query finds the payment made", async () => {
    loseAnswerOf.add("/v3/pay/transactions/codepay");
    const asked = request("104567890123456789");
    const result = await provider().createPayment(asked, runtime);
    expect(result).toMatchObject({ state: "SUCCESS", totalFee: 800 });
    expect(paths[1]).toBe(`/v3/pay/transactions/out-trade-no/${asked.outTradeNo}`);
  });

  it("a refused code (NOTENOUGH) fails at once; a missing store number is refused before anything is sent", async () => {
    await expect(provider().createPayment(request("124567890123456789"), runtime)).rejects.toMatchObject({ providerCode: "NOTENOUGH" });
    await expect(provider().createPayment(request("124567890123456790"), runtime)).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(waits).toEqual([]);
    paths.length = 0;
    await expect(provider().createPayment(request("134567890123456700", { storeId: undefined }), runtime)).rejects.toBeInstanceOf(ValidationError);
    expect(paths).toEqual([]);
  });

  it("closing a pay-code order reverses it over v3", async () => {
    const asked = request("113567890123456711", { config: { ...config, codepayMaxWaitMs: 2000 } });
    // Still unsettled after one query: the loop reverses it itself; a later close reverses again, harmlessly.
    await provider().createPayment(asked, runtime);
    await expect(provider().closePayment({ mode: "codepay", config, outTradeNo: asked.outTradeNo }, runtime)).resolves.toBeUndefined();
    expect(paths.filter((path) => path.endsWith("/reverse"))).toHaveLength(2);
    expect(tradeOf(asked.outTradeNo)).toMatchObject({ trade_state: "REVOKED" });
  });
});
