import { createHmac } from "node:crypto";
import { createXpaySandbox, type XpaySandbox } from "../../scripts/sandbox/wxpay-virtual";
import { mountSandbox, type Mounted } from "./helpers/mounted";

/**
 * The xpay sandbox's server APIs, called the way WeChat's page describes them with this test's own HMAC (not
 * the library's): pay_sig over `/xpay/<api>&<body>` on every call, the user's signature with the session key
 * (a UTF-8 string) on the three user-state calls only, and a wallet that keeps its state.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 */
const OPENID = "oXpaySandboxApiBuyer000001";
const SESSION_KEY = "9hAb/NEYUlkaMBEsmFgzig==";
const hmac = (key: string, text: string) => createHmac("sha256", key).update(text, "utf8").digest("hex");

describe("the xpay sandbox's server APIs", () => {
  let mounted: Mounted<XpaySandbox>;
  let token: string;
  beforeAll(async () => {
    mounted = await mountSandbox("wxpay-virtual", undefined, (dataDir) => createXpaySandbox({ dataDir, persist: false, log: () => undefined }));
    const keys = mounted.sandbox.keys;
    const answer = await fetch(`${mounted.base}/cgi-bin/stable_token`, {
      method: "POST",
      body: JSON.stringify({ grant_type: "client_credential", appid: keys.appId, secret: keys.appSecret }),
    });
    token = ((await answer.json()) as { access_token: string }).access_token;
    await mounted.control("session", { openid: OPENID, session_key: SESSION_KEY });
  }, 30_000);
  afterAll(() => mounted?.close());

  /** One call; `sign` may spoil either signature or leave the user's out. */
  async function call(api: string, payload: Record<string, unknown>, sign: { paySig?: string; signature?: string | null } = {}) {
    const body = JSON.stringify(payload);
    const query = new URLSearchParams({ access_token: token, pay_sig: sign.paySig ?? hmac(mounted.sandbox.keys.appKey, `/xpay/${api}&${body}`) });
    const signature = sign.signature === undefined ? hmac(SESSION_KEY, body) : sign.signature;
    if (signature !== null) query.set("signature", signature);
    const response = await fetch(`${mounted.base}/xpay/${api}?${query}`, { method: "POST", body });
    return (await response.json()) as Record<string, any>;
  }
  const balance = { openid: OPENID, env: 0, user_ip: "127.0.0.1" };

  it("checks pay_sig over the uri with its leading slash and the exact body", async () => {
    expect(await call("query_user_balance", balance)).toMatchObject({ errcode: 0, balance: 0, first_save_flag: true });
    const body = JSON.stringify(balance);
    expect(await call("query_user_balance", balance, { paySig: hmac(mounted.sandbox.keys.appKey, `xpay/query_user_balance&${body}`) })).toMatchObject({
      errcode: 268490003,
    });
    expect(await call("query_user_balance", balance, { paySig: hmac(mounted.sandbox.keys.sandboxAppKey, `/xpay/query_user_balance&${body}`) })).toMatchObject({
      errcode: 268490003,
    });
  });

  it("wants the user's signature on query_user_balance, currency_pay and cancel_currency_pay only", async () => {
    expect(await call("query_user_balance", balance, { signature: null })).toMatchObject({ errcode: 268490003 });
    expect(
      await call("query_user_balance", balance, { signature: hmac(Buffer.from(SESSION_KEY, "base64").toString("latin1"), JSON.stringify(balance)) }),
    ).toMatchObject({
      errcode: 268490003,
    });
    const { user_ip: _ip, ...noIp } = balance;
    expect(await call("query_user_balance", noIp)).toMatchObject({ errcode: 268490001 });
    // present_currency takes pay_sig alone.
    expect(await call("present_currency", { openid: OPENID, env: 0, order_id: "SBGIFT000000000001", amount: 300 }, { signature: null })).toMatchObject({
      errcode: 0,
      balance: 300,
      present_balance: 300,
    });
  });

  it("keeps the wallet: a spend takes gifted coins first, a repeated order id is 268490004 and takes nothing", async () => {
    const spend = { ...balance, amount: 120, order_id: "SBSPEND00000000001", payitem: "", remark: "" };
    expect(await call("currency_pay", spend)).toMatchObject({ errcode: 0, balance: 180, used_present_amount: 120 });
    expect(await call("currency_pay", spend)).toMatchObject({ errcode: 268490004 });
    expect(await call("currency_pay", { ...spend, order_id: "SBSPEND00000000002", amount: 1000 })).toMatchObject({ errcode: 268490006 });
    expect(await call("present_currency", { openid: OPENID, env: 0, order_id: "SBGIFT000000000001", amount: 300 }, { signature: null })).toMatchObject({
      errcode: 268490004,
    });
    expect(await call("query_user_balance", balance)).toMatchObject({ balance: 180, sum_cost: 120, sum_present: 300 });
    const cancel = { ...balance, pay_order_id: spend.order_id, order_id: "SBCANCEL0000000001", amount: 120 };
    expect(await call("cancel_currency_pay", cancel, { signature: null })).toMatchObject({ errcode: 268490003 });
    expect(await call("cancel_currency_pay", cancel)).toMatchObject({ errcode: 0, order_id: cancel.order_id });
    expect(await call("cancel_currency_pay", cancel)).toMatchObject({ errcode: 0 });
    expect(await call("query_user_balance", balance)).toMatchObject({ balance: 300, sum_cost: 0 });
  });

  it("refuses a call without a live access token", async () => {
    const saved = token;
    token = "not-a-token";
    try {
      expect(await call("query_user_balance", balance)).toMatchObject({ errcode: 40001 });
    } finally {
      token = saved;
    }
  });
});
