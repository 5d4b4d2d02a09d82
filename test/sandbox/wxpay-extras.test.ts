import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";

async function get(url: string) {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text, json: () => JSON.parse(text) };
}

describe("WeChat sandbox: api.weixin.qq.com login stand-ins", () => {
  let h: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    h = await startHarness({ now: () => clock, persist: false });
  });
  afterAll(() => h.close());

  const session = (query: Record<string, string>) =>
    get(
      `${h.base}/sns/jscode2session?${new URLSearchParams({ appid: h.sandbox.keys.appId, secret: h.sandbox.keys.appSecret, grant_type: "authorization_code", ...query })}`,
    );

  it("jscode2session: an issued code gives its openid once; the secret, appid and code are checked", async () => {
    const issued = await h.control("issue-code", { openid: "oSandboxUser000000000000001", unionid: "oUnion1" });
    expect(issued.json).toEqual({ ok: true, code: expect.stringMatching(/^[0-9a-f]{32}$/), openid: "oSandboxUser000000000000001" });
    const wrongSecret = await session({ js_code: issued.json.code, secret: "0".repeat(32) });
    expect(wrongSecret.json()).toMatchObject({ errcode: 40125 });
    const good = await session({ js_code: issued.json.code });
    expect(good.status).toBe(200);
    expect(good.type).toContain("text/plain");
    expect(good.json()).toEqual({ openid: "oSandboxUser000000000000001", unionid: "oUnion1", session_key: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/) });
    expect((await session({ js_code: issued.json.code })).json()).toMatchObject({ errcode: 40163 });
    expect((await session({ js_code: "not-issued" })).json()).toMatchObject({ errcode: 40029, errmsg: expect.stringContaining("invalid code") });
    expect((await session({ js_code: "x", appid: "wx1111111111111111" })).json()).toMatchObject({ errcode: 40013 });
    expect((await session({ js_code: "x", grant_type: "client_credential" })).json()).toMatchObject({ errcode: 40002 });
  });

  it("a code expires after 5 minutes", async () => {
    const { json } = await h.control("issue-code", { openid: "oLate" });
    clock += 5 * 60_000 + 1000;
    expect((await session({ js_code: json.code })).json()).toMatchObject({ errcode: 40029 });
  });

  it("oauth2/access_token (H5): code to access_token and openid", async () => {
    const { json } = await h.control("issue-code", {});
    const query = new URLSearchParams({ appid: h.sandbox.keys.appId, secret: h.sandbox.keys.appSecret, code: json.code, grant_type: "authorization_code" });
    const reply = await get(`${h.base}/sns/oauth2/access_token?${query}`);
    expect(reply.json()).toMatchObject({ access_token: expect.any(String), expires_in: 7200, openid: json.openid, scope: "snsapi_base" });
    expect(json.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect((await get(`${h.base}/sns/oauth2/access_token?${query}`)).json()).toMatchObject({ errcode: 40163 });
  });
});

describe("WeChat sandbox: cashier page, automatic refund settlement, restarts", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "vk-pay-wxpay-restart-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("renders the cashier in Chinese with escaped order data, and drops the buttons once paid", async () => {
    const h = await startHarness({ dataDir: join(root, "cashier") });
    try {
      const no = newOrderNo();
      await h.api(
        "POST",
        "/v3/pay/transactions/native",
        h.prepayBody(no, { payer: undefined, description: "<b>会员</b>", amount: { total: 1990, currency: "CNY" } }),
      );
      const page = await get(`${h.base}/cashier?out_trade_no=${no}`);
      expect(page.status).toBe(200);
      expect(page.type).toContain("text/html");
      expect(page.text).toContain("¥19.90");
      expect(page.text).toContain("&#60;b&#62;会员&#60;/b&#62;");
      expect(page.text).not.toContain("<b>会员");
      for (const label of ["支付", "支付失败", "取消", "订单未支付", h.merchant.mchid]) expect(page.text).toContain(label);
      await h.control("pay", { out_trade_no: no });
      const after = await get(`${h.base}/cashier?out_trade_no=${no}`);
      expect(after.text).toContain("支付成功");
      expect(after.text).not.toContain('data-action="pay"');
      expect((await get(`${h.base}/cashier?out_trade_no=NOPE1234`)).status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it("settles a PROCESSING refund by itself after the configured delay", async () => {
    const h = await startHarness({ dataDir: join(root, "auto"), refundAutoSettleMs: 30 });
    try {
      const no = newOrderNo();
      await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no));
      await h.control("pay", { out_trade_no: no });
      await h.api("POST", "/v3/refund/domestic/refunds", { out_trade_no: no, out_refund_no: `A${no}`, amount: { refund: 100, total: 1000, currency: "CNY" } });
      const received = await h.receiver.waitFor(2);
      expect(JSON.parse(received[1].body).event_type).toBe("REFUND.SUCCESS");
      expect((await h.api("GET", `/v3/refund/domestic/refunds/A${no}`)).json.status).toBe("SUCCESS");
    } finally {
      await h.close();
    }
  });

  it("keeps orders, refunds, the last notifications, the clock and the sign mode across a restart", async () => {
    const dataDir = join(root, "restart");
    const no = newOrderNo();
    const first = await startHarness({ dataDir });
    await first.api("POST", "/v3/pay/transactions/jsapi", first.prepayBody(no));
    await first.control("pay", { out_trade_no: no });
    await first.api("POST", "/v3/refund/domestic/refunds", { out_trade_no: no, out_refund_no: `K${no}`, amount: { refund: 10, total: 1000, currency: "CNY" } });
    await first.control("clock", { advance_seconds: 3600 });
    await first.control("sign-mode", { sign_mode: "public_key" });
    const serial = first.sandbox.keys.merchantSerial;
    await first.close();

    // The first run's receiver is gone; the injected transport shows where the redelivery goes.
    const sent: Array<{ url: string; body: string }> = [];
    const second = await startHarness({ dataDir, request: async (url, init) => (sent.push({ url, body: init.body }), { status: 200 }) });
    try {
      expect(second.sandbox.keys.merchantSerial).toBe(serial);
      const query = await second.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${second.merchant.mchid}`);
      expect(query.json).toMatchObject({ trade_state: "SUCCESS" });
      expect(query.headers.get("Wechatpay-Serial")).toBe(second.sandbox.keys.wxpayPublicKeyId);
      expect((await second.api("GET", `/v3/refund/domestic/refunds/K${no}`)).json.status).toBe("PROCESSING");
      expect(second.sandbox.state.clockOffsetSeconds).toBe(3600);
      expect((await second.control("redeliver", { out_trade_no: no })).json.notification).toBe("queued");
      await second.sandbox.idle();
      expect(sent).toHaveLength(1);
      expect(sent[0].url).toBe(first.prepayBody(no).notify_url);
      expect(JSON.parse(sent[0].body).event_type).toBe("TRANSACTION.SUCCESS");
    } finally {
      await second.close();
    }
  });
});
