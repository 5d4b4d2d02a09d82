import { Transformer } from "wechatpay-axios-plugin";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { findOrder, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { processNotification, type PipelineDeps } from "../../common/vk-uni-pay/src/notify/pipeline";
import { MAX_NOTIFICATION_BYTES } from "../../common/vk-uni-pay/src/notify/raw";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import type { IntegrationResponse } from "../../common/vk-uni-pay/src/http-reply";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { generateKeys, keyModeConfig } from "../alipay-adapter/fake-alipay";
import { merchantConfig as v3Config } from "../wxpay-adapter/fake-wechat";
import { APP_ID, FakeWechatV2, MCH_ID, signedXml, v2Config } from "../wxpay-v2/fake-wechat-v2";
import { memoryDatabase } from "../helpers/deps";

/**
 * The reply to a notification nobody can read, on each provider's notify path: the provider is known from
 * the path, WeChat's API version from that pay_type's merchant config, and each gets the failure it reads
 * (v2: HTTP 200 with FAIL XML; v3: a 4xx with FAIL JSON; Alipay: `fail`), never a 5xx for bad input.
 */

const V2_FAIL = /^<xml><return_code><!\[CDATA\[FAIL\]\]><\/return_code><return_msg>.+<\/return_msg><\/xml>$/;

const wxpay = createWxpayProvider({
  database: () => {
    throw new Error("no platform certificate is needed to refuse these");
  },
  log: () => undefined,
});
const alipay = createAlipayProvider();
const alipayKeys = generateKeys();

const PATHS = {
  "WeChat v2": "/vk-pay-notify/wxpay_mp-weixin/T1",
  "WeChat v3": "/vk-pay-notify/wxpay_app-plus/T1",
  Alipay: "/vk-pay-notify/alipay_h5/T1",
} as const;
type PathName = keyof typeof PATHS;

const BODIES: Array<[string, string]> = [
  ["an empty body", ""],
  ["a body that is not XML", "hello, this is not a notification"],
  ["truncated XML", "<xml><return_code><![CDATA[SUCC"],
  ["an oversized body", `<xml><attach><![CDATA[${"x".repeat(MAX_NOTIFICATION_BYTES + 1)}]]></attach></xml>`],
];

function expectFailureReply(path: PathName, body: string, reply: IntegrationResponse): void {
  expect(reply.statusCode).toBeLessThan(500);
  // A v3 merchant sent XML (even broken) is answered in the dialect of what was sent, v2's; an oversized
  // body is dropped unread, so the merchant's config speaks.
  const v2 = path === "WeChat v2" || (path === "WeChat v3" && body.startsWith("<") && body.length <= MAX_NOTIFICATION_BYTES);
  if (path === "Alipay") {
    expect(reply.statusCode).toBeGreaterThanOrEqual(400);
    expect(reply.body).toBe("fail");
  } else if (v2) {
    expect(reply.statusCode).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/xml/);
    expect(reply.body).toMatch(V2_FAIL);
  } else {
    expect(reply.statusCode).toBeGreaterThanOrEqual(400);
    expect(reply.headers["content-type"]).toMatch(/json/);
    expect(JSON.parse(reply.body)).toEqual({ code: "FAIL", message: expect.any(String) });
  }
}

describe("failure replies to unreadable notifications", () => {
  let database: ReturnType<typeof memoryDatabase>;
  let db: Database;
  const deps = (): PipelineDeps => ({
    db,
    now: () => 10_000,
    log: () => undefined,
    findProvider: (name) => (name === "wxpay" ? wxpay : name === "alipay" ? alipay : undefined),
    providerNames: () => ["wxpay", "alipay"],
    config: () => validatePayConfig({ wxpay: { "mp-weixin": v2Config(), "app-plus": v3Config() }, alipay: { h5: keyModeConfig(alipayKeys) } }),
    runtime: new FakeWechatV2().runtime,
  });
  const deliver = (path: PathName, body: string, isBase64Encoded = false) =>
    processNotification({ path: PATHS[path], httpMethod: "POST", headers: { "content-type": "text/plain" }, body, isBase64Encoded }, "/vk-pay-notify/", deps());

  beforeEach(() => {
    database = memoryDatabase();
    db = database.db;
  });
  afterEach(() => database.close());

  describe.each(Object.keys(PATHS) as PathName[])("on the %s path", (path) => {
    it.each(BODIES)("%s gets the provider's own failure reply, and is logged as refused", async (_label, body) => {
      expectFailureReply(path, body, await deliver(path, body));
      const { data } = await db.collection("vk-pay-notify-log").get();
      expect(data).toEqual([expect.objectContaining({ outcome: "refused", pay_type: PATHS[path].split("/")[2] })]);
    });

    it("a base64 body that is not base64 gets the same", async () => {
      expectFailureReply(path, "", await deliver(path, "%%%not base64%%%", true));
    });
  });

  it("a v3 JSON body on the v3 path, unsigned, is refused with 400 JSON", async () => {
    const reply = await deliver("WeChat v3", JSON.stringify({ id: "x", event_type: "TRANSACTION.SUCCESS", resource: {} }));
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ code: "FAIL" });
  });

  it("our own failure (the database down) is still v2's 200 FAIL XML on v2: WeChat reads the body", async () => {
    await openOrder(
      {
        out_trade_no: "T1",
        type: "recharge",
        provider: "wxpay",
        pay_type: "wxpay_mp-weixin",
        total_fee: 100,
        description: "x",
        user_id: "u1",
        mch_id: MCH_ID,
        provider_appid: APP_ID,
        notify_url: "http://x",
        notify_path: PATHS["WeChat v2"],
      },
      1000,
      db,
    );
    const broken: Database = {
      ...db,
      collection: () => {
        throw new Error("database down");
      },
    };
    const fields = {
      return_code: "SUCCESS",
      appid: APP_ID,
      mch_id: MCH_ID,
      nonce_str: "n1",
      result_code: "SUCCESS",
      openid: "o1",
      trade_type: "JSAPI",
      bank_type: "CMC",
      total_fee: "100",
      cash_fee: "100",
      transaction_id: "4200000001",
      out_trade_no: "T1",
      time_end: "20260115120102",
    };
    const reply = await processNotification({ path: PATHS["WeChat v2"], httpMethod: "POST", headers: {}, body: signedXml(fields) }, "/vk-pay-notify/", {
      ...deps(),
      db: broken,
    });
    expect(reply.statusCode).toBe(200);
    expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "FAIL" });
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
  });
});

describe("WeChat's acknowledge picks its dialect and status", () => {
  const raw = (body: string) => ({ method: "POST", path: "/vk-pay-notify/wxpay_h5", headers: {}, body: Buffer.from(body) });

  it("from the body when it shows its version, whatever the config says", () => {
    expect(wxpay.acknowledge(false, { notification: raw("<xml>"), config: v3Config() }).body).toMatch(V2_FAIL);
    expect(wxpay.acknowledge(false, { notification: raw('{"id":1}'), config: v2Config() })).toMatchObject({ statusCode: 400 });
  });

  it("from the merchant config when the body does not; v2 when there is neither", () => {
    expect(wxpay.acknowledge(false, { notification: raw(""), config: v3Config() })).toMatchObject({ statusCode: 400, body: expect.stringContaining('"FAIL"') });
    expect(wxpay.acknowledge(false, { notification: raw("junk"), config: v2Config() }).body).toMatch(V2_FAIL);
    expect(wxpay.acknowledge(false, { notification: raw("junk"), config: { version: "7" } }).body).toMatch(V2_FAIL);
    expect(wxpay.acknowledge(false).body).toMatch(V2_FAIL);
  });

  it("v3: 400 for a refused message, 500 only for our own failure, 200 SUCCESS when accepted", () => {
    const v3 = { notification: raw('{"id":1}') };
    expect(wxpay.acknowledge(false, v3).statusCode).toBe(400);
    expect(wxpay.acknowledge(false, { ...v3, ourFault: true }).statusCode).toBe(500);
    expect(wxpay.acknowledge(true, v3)).toMatchObject({ statusCode: 200, body: JSON.stringify({ code: "SUCCESS", message: "成功" }) });
  });
});
