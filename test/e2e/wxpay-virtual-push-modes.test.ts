import { signedPush } from "../../scripts/sandbox/wxpay-virtual/pusher";
import { startXpaySpaceWithPush, XPAY_BUYER, type XpaySpace } from "./helpers/wxpay-virtual";

/**
 * WeChat virtual payment's message push in the modes the safe-mode JSON of wxpay-virtual.test.ts leaves: plain
 * mode (明文模式) in both formats, where the merchant's config has no EncodingAESKey and the sandbox pushes
 * unencrypted XML or JSON with only `signature` (token, timestamp, nonce) in the query (it does not cover the
 * body, so the library confirms each push with query_order before it pays anything), and safe mode in XML,
 * where the `<Encrypt>` envelope carries the ciphertext and `msg_signature` covers it.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
const REPLIES = {
  xml: "<xml><ErrCode>0</ErrCode><ErrMsg><![CDATA[success]]></ErrMsg></xml>",
  json: '{"ErrCode":0,"ErrMsg":"success"}',
} as const;
/** Safe mode answers `success`: the page wants any other safe-mode reply encrypted. */
const replyOf = (safe: boolean, format: "xml" | "json") => (safe ? "success" : REPLIES[format]);
/** A refusal is a non-zero ErrCode in the same format, which makes WeChat push again. */
const REFUSALS = {
  xml: "<xml><ErrCode>1</ErrCode><ErrMsg><![CDATA[fail]]></ErrMsg></xml>",
  json: '{"ErrCode":1,"ErrMsg":"fail"}',
} as const;

const MODES = [
  { safe: false, format: "xml" },
  { safe: false, format: "json" },
  { safe: true, format: "xml" },
] as const;

describe.each(MODES)("wxpay-virtual pushes end to end (safe mode $safe, $format)", ({ safe, format }) => {
  let s: XpaySpace;
  beforeAll(async () => {
    s = await startXpaySpaceWithPush({ safe, format });
  }, 60_000);
  afterAll(() => s?.close());

  const balance = async () => ((await s.db.collection("uni-id-users").doc("u1").get()).data[0]?.balance ?? 0) as number;
  const notifyUrl = () => `${s.url}/http/vk-pay/vk-pay-notify/wxpay-virtual_mp-weixin`;

  it("pays a coin top-up from the push, once, and answers in the push's format", async () => {
    const wxpay_virtual = { mode: "short_series_coin", buy_quantity: 300 };
    const created = await s.client("pay/createPayment", { provider: "wxpay-virtual", type: "recharge", total_fee: 300, openid: XPAY_BUYER, wxpay_virtual });
    expect(created).toMatchObject({ code: 0, data: { total_fee: 300 } });
    const outTradeNo = created.data.out_trade_no as string;
    expect(await s.control("request-payment", { openid: XPAY_BUYER, ...created.data.orderInfo })).toMatchObject({ ok: true });
    const start = await balance();
    expect(await s.control("pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true, notification: "queued" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    expect(await balance()).toBe(start + 300);
    // Acknowledged at the first attempt: the sandbox pushed nothing again.
    expect(await s.outcomes(outTradeNo)).toEqual(["applied"]);

    // The same push again, as WeChat would re-push it, read back by hand: the reply is in the push's format.
    const push = s.xpay.state.lastNotification(`trade:${outTradeNo}`)!;
    const { url, body, contentType } = signedPush(s.xpay.keys, s.xpay.state, push.message);
    expect(new URL(url).searchParams.has("msg_signature")).toBe(safe);
    expect(body.startsWith(format === "xml" ? "<xml>" : "{")).toBe(true);
    expect(body.includes("Encrypt")).toBe(safe);
    const target = `${notifyUrl()}${new URL(url).search}`;
    const again = await fetch(target, { method: "POST", headers: { "content-type": contentType }, body });
    expect({ status: again.status, body: await again.text() }).toEqual({ status: 200, body: replyOf(safe, format) });
    expect(await s.outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);
    expect(await balance()).toBe(start + 300);
  });

  it("refuses a push whose signature is forged, and changes nothing until WeChat's own push comes", async () => {
    const created = await s.client("pay/createPayment", {
      provider: "wxpay-virtual",
      type: "recharge",
      total_fee: 200,
      openid: XPAY_BUYER,
      wxpay_virtual: { mode: "short_series_coin", buy_quantity: 200 },
    });
    const outTradeNo = created.data.out_trade_no as string;
    expect(await s.control("request-payment", { openid: XPAY_BUYER, ...created.data.orderInfo })).toMatchObject({ ok: true });
    await s.control("drop", { count: 1 });
    await s.control("pay", { out_trade_no: outTradeNo });
    const push = s.xpay.state.lastNotification(`trade:${outTradeNo}`)!;
    const { url, body, contentType } = signedPush(s.xpay.keys, s.xpay.state, push.message);
    const query = new URL(url).searchParams;
    query.set(safe ? "msg_signature" : "signature", "0".repeat(40));
    const forged = await fetch(`${notifyUrl()}?${query}`, { method: "POST", headers: { "content-type": contentType }, body });
    expect({ status: forged.status, body: await forged.text() }).toEqual({ status: 200, body: REFUSALS[format] });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    // WeChat's own push, sent again, pays it.
    expect(await s.control("redeliver", { out_trade_no: outTradeNo })).toMatchObject({ ok: true });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
  });
});
