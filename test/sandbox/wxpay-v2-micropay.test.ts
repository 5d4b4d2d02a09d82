/**
 * Pay-code payments: the auth_code decides what the sandbox payer does (scripts/sandbox/wxpay/micropay.ts),
 * USERPAYING resolves through the merchant's own queries, and /secapi/pay/reverse cancels.
 */
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { callV2, postXmlTls, responseVerifies, signRequest, toXml, type V2Identity } from "./helpers/wxpay-v2";

let codeCounter = 0;
/** An 18-digit auth_code with this prefix, never used before in this run. */
const authCode = (prefix: string) => `${prefix}${String(Date.now()).slice(-10)}${String(++codeCounter).padStart(6, "0")}`;

describe("WeChat Pay v2 sandbox: pay-code (micropay)", () => {
  let h: Harness;
  let me: V2Identity;
  beforeAll(async () => {
    h = await startHarness({ httpsPort: 0 });
    me = { appid: h.sandbox.keys.appId, mch_id: h.sandbox.keys.mchId, key: h.sandbox.keys.key };
  });
  afterAll(() => h.close());

  const micropay = (no: string, code: string, extra: Record<string, string | number> = {}) =>
    callV2(h.base, me, "/pay/micropay", { body: "门店消费", out_trade_no: no, total_fee: 888, spbill_create_ip: "10.0.0.8", auth_code: code, ...extra });
  const query = (no: string) => callV2(h.base, me, "/pay/orderquery", { out_trade_no: no });

  it("auth codes are 18 digits", () => {
    for (const prefix of ["10", "11", "12", "13", "14", "15"]) expect(authCode(prefix)).toMatch(new RegExp(`^${prefix}\\d{16}$`));
  });

  it("prefix 13 pays at once; store_id and scene_info are accepted; no notification is sent", async () => {
    const no = newOrderNo();
    const scene = JSON.stringify({ store_info: { id: "SZ001", name: "深圳店" } });
    const reply = await micropay(no, authCode("13"), { store_id: "SZ001", scene_info: scene, device_info: "POS-1", attach: "a" });
    expect(reply.xml).toMatchObject({
      return_code: "SUCCESS",
      result_code: "SUCCESS",
      trade_type: "MICROPAY",
      total_fee: "888",
      cash_fee: "888",
      out_trade_no: no,
      device_info: "POS-1",
      attach: "a",
    });
    expect(reply.xml.transaction_id).toMatch(/^4200/);
    expect(reply.xml.time_end).toMatch(/^\d{14}$/);
    expect(responseVerifies(reply.xml, me.key)).toBe(true);
    expect((await query(no)).xml.trade_state).toBe("SUCCESS");
    await h.sandbox.idle();
    expect(h.receiver.received).toHaveLength(0);
    const badScene = await micropay(newOrderNo(), authCode("13"), { scene_info: "{not json" });
    expect(badScene.xml).toMatchObject({ result_code: "FAIL", err_code: "PARAM_ERROR" });
  });

  it("prefix 14N answers USERPAYING, then the N-th query sees SUCCESS", async () => {
    const no = newOrderNo();
    const code = `143${authCode("14").slice(3)}`;
    const first = await micropay(no, code);
    expect(first.xml).toMatchObject({ return_code: "SUCCESS", result_code: "FAIL", err_code: "USERPAYING", err_code_des: "需要用户输入支付密码" });
    expect(responseVerifies(first.xml, me.key)).toBe(true);
    expect((await query(no)).xml.trade_state).toBe("USERPAYING");
    expect((await query(no)).xml.trade_state).toBe("USERPAYING");
    const third = await query(no);
    expect(third.xml).toMatchObject({ trade_state: "SUCCESS", trade_type: "MICROPAY" });
    expect(third.xml.transaction_id).toMatch(/^4200/);
    // The same out_trade_no and code again is a retry: it sees the trade as it is now.
    expect((await micropay(no, code)).xml).toMatchObject({ result_code: "SUCCESS", transaction_id: third.xml.transaction_id });
  });

  it("prefix 12 fails with NOTENOUGH and 15 with AUTHCODEEXPIRE; the trades end PAYERROR", async () => {
    const poor = newOrderNo();
    expect((await micropay(poor, authCode("12"))).xml).toMatchObject({ result_code: "FAIL", err_code: "NOTENOUGH" });
    expect((await query(poor)).xml.trade_state).toBe("PAYERROR");
    const stale = newOrderNo();
    expect((await micropay(stale, authCode("15"))).xml).toMatchObject({ result_code: "FAIL", err_code: "AUTHCODEEXPIRE" });
    expect((await query(stale)).xml.trade_state).toBe("PAYERROR");
  });

  it("refuses a malformed code, a code used twice, and an out_trade_no reused with another code", async () => {
    expect((await micropay(newOrderNo(), "123456")).xml).toMatchObject({ result_code: "FAIL", err_code: "AUTH_CODE_INVALID" });
    expect((await micropay(newOrderNo(), `16${"0".repeat(16)}`)).xml).toMatchObject({ result_code: "FAIL", err_code: "AUTH_CODE_INVALID" });
    const code = authCode("13");
    const no = newOrderNo();
    expect((await micropay(no, code)).xml.result_code).toBe("SUCCESS");
    expect((await micropay(newOrderNo(), code)).xml).toMatchObject({ result_code: "FAIL", err_code: "AUTHCODEEXPIRE" });
    expect((await micropay(no, authCode("13"))).xml).toMatchObject({ result_code: "FAIL", err_code: "ORDERPAID" });
  });

  it("prefix 11 stays USERPAYING until /secapi/pay/reverse revokes it (client certificate required)", async () => {
    const no = newOrderNo();
    expect((await micropay(no, authCode("11"))).xml.err_code).toBe("USERPAYING");
    for (let i = 0; i < 4; i++) expect((await query(no)).xml.trade_state).toBe("USERPAYING");
    const body = toXml(signRequest(me, { out_trade_no: no }));
    const { keys } = h.sandbox;
    expect((await postXmlTls(`${h.sandbox.secapiBaseUrl}/secapi/pay/reverse`, body, { ca: keys.caCertPem })).xml.return_code).toBe("FAIL");
    expect((await query(no)).xml.trade_state).toBe("USERPAYING");
    const reversed = await postXmlTls(`${h.sandbox.secapiBaseUrl}/secapi/pay/reverse`, body, {
      cert: keys.merchantCertPem,
      key: keys.merchantPrivateKeyPem,
      ca: keys.caCertPem,
    });
    expect(reversed.xml).toMatchObject({ return_code: "SUCCESS", result_code: "SUCCESS", recall: "N" });
    expect(responseVerifies(reversed.xml, me.key)).toBe(true);
    expect((await query(no)).xml.trade_state).toBe("REVOKED");
  });

  it("reverse refuses a trade that is not a pay-code trade", async () => {
    const no = newOrderNo();
    await callV2(h.base, me, "/pay/unifiedorder", {
      body: "x",
      out_trade_no: no,
      total_fee: 1,
      spbill_create_ip: "127.0.0.1",
      notify_url: "http://127.0.0.1:9/n",
      trade_type: "APP",
    });
    const { keys } = h.sandbox;
    const reply = await postXmlTls(`${h.sandbox.secapiBaseUrl}/secapi/pay/reverse`, toXml(signRequest(me, { out_trade_no: no })), {
      cert: keys.merchantCertPem,
      key: keys.merchantPrivateKeyPem,
      ca: keys.caCertPem,
    });
    expect(reply.xml).toMatchObject({ result_code: "FAIL", err_code: "INVALID_REQUEST" });
  });

  it("the control API drives a USERPAYING trade too, and the v3 query sees pay-code trades", async () => {
    const no = newOrderNo();
    await micropay(no, authCode("11"));
    expect((await h.control("pay", { out_trade_no: no })).json).toMatchObject({ ok: true, trade_state: "SUCCESS", notification: "none" });
    const v3 = await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${me.mch_id}`);
    expect(v3.json).toMatchObject({ trade_state: "SUCCESS", trade_type: "MICROPAY" });
  });
});
