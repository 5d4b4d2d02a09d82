import { createHash, createSign } from "node:crypto";
import {
  AlipaySignatureError,
  AlipayValidationError,
  ALIPAY_NOTIFY_ACK,
  buildAlipaySignContent,
  encodeAlipayForm,
  parseAlipayForm,
  signAlipayNotify,
  verifyAlipayNotify,
  verifyAlipayNotifyParams,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { alipaySdk, alipaySdkUtil, freshKeyPair, vector, vectorKey } from "./fixtures";

const AL8 = vector("AL-8");
const AL9 = vector("AL-9");
const AL10 = vector("AL-10");
const AL11 = vector("AL-11");

const AL8_STRING =
  'app_id=2019073166072302&auth_app_id=2019073166072302&buyer_id=2088102534368455&buyer_logon_id=xud***@126.com&buyer_pay_amount=0.10&charset=utf-8&fund_bill_list=[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]&gmt_create=2019-08-15 15:56:22&gmt_payment=2019-08-15 15:56:24&invoice_amount=0.10&notify_id=2019081500222155624068450559358070&notify_time=2019-08-15 15:56:25&notify_type=trade_status_sync&out_trade_no=20190815155618536-564-57&point_amount=0.00&receipt_amount=0.10&seller_email=z97-yuquerevenue@service.aliyun.com&seller_id=2088531891668739&subject=语雀空间 500人规模&total_amount=0.10&trade_no=2019081522001468450512505578&trade_status=TRADE_SUCCESS&version=1.0';
const AL11_STRING =
  "app_id=9021000122682882&auth_app_id=9021000122682882&charset=utf-8&method=alipay.trade.page.pay.return&out_trade_no=1703141270&seller_id=2088721003899159&timestamp=2023-12-21 14:48:44&total_amount=0.01&trade_no=2023122122001499160501586202&version=1.0";

/** The body Alipay would POST for a vector's fields (form encoding: literal + as %2B, space as +). */
const bodyOf = (post: Record<string, string>) => encodeAlipayForm(post);

describe("AL-8: production payment notify, sign_type excluded (alipay-sdk)", () => {
  it("builds the documented string and verifies the raw form body", () => {
    expect(buildAlipaySignContent(AL8.postData!, { excludeSignType: true })).toBe(AL8_STRING);
    const verified = verifyAlipayNotify(bodyOf(AL8.postData!), vectorKey("AL-8"));
    expect(verified.signTypeSigned).toBe(false);
    expect(verified.params.subject).toBe("语雀空间 500人规模");
    expect(verified.params.fund_bill_list).toBe('[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]');
  });

  it("also verifies from a Buffer and from already-decoded fields", () => {
    expect(verifyAlipayNotify(Buffer.from(bodyOf(AL8.postData!)), vectorKey("AL-8")).params.trade_no).toBe("2019081522001468450512505578");
    expect(verifyAlipayNotifyParams(AL8.postData!, vectorKey("AL-8")).signTypeSigned).toBe(false);
  });

  it("refuses a changed amount, another key, a missing sign, sign_type RSA", () => {
    expect(() => verifyAlipayNotifyParams({ ...AL8.postData!, total_amount: "0.01" }, vectorKey("AL-8"))).toThrow(
      expect.objectContaining({ reason: "alipay-signature-invalid" }),
    );
    expect(() => verifyAlipayNotifyParams(AL8.postData!, vectorKey("AL-9"))).toThrow(AlipaySignatureError);
    const { sign: _sign, ...unsigned } = AL8.postData!;
    expect(() => verifyAlipayNotifyParams(unsigned, vectorKey("AL-8"))).toThrow(expect.objectContaining({ reason: "alipay-signature-missing" }));
    expect(() => verifyAlipayNotifyParams({ ...AL8.postData!, sign: "" }, vectorKey("AL-8"))).toThrow(AlipaySignatureError);
    expect(() => verifyAlipayNotifyParams({ ...AL8.postData!, sign_type: "RSA" }, vectorKey("AL-8"))).toThrow(
      expect.objectContaining({ reason: "alipay-sign-type-unsupported" }),
    );
  });

  it("still verifies when sign_type is absent (defaults to RSA2)", () => {
    const { sign_type: _t, ...withoutType } = AL8.postData!;
    expect(verifyAlipayNotifyParams(withoutType, vectorKey("AL-8")).signTypeSigned).toBe(false);
  });
});

describe("AL-9: servicemarket notify, sign_type included (alipay-sdk)", () => {
  it("verifies with sign_type in the signed string", () => {
    const verified = verifyAlipayNotify(bodyOf(AL9.postData!), vectorKey("AL-9"));
    expect(verified.signTypeSigned).toBe(true);
    expect(verified.params.title).toBe("麦禾商城模版");
  });

  it("does not verify once sign_type is removed (it was signed)", () => {
    const { sign_type: _t, ...withoutType } = AL9.postData!;
    expect(() => verifyAlipayNotifyParams(withoutType, vectorKey("AL-9"))).toThrow(AlipaySignatureError);
  });
});

describe("AL-10: sandbox notify with a literal '+' (yansongda, certificate mode)", () => {
  it("verifies when '+' arrives percent-encoded, as Alipay sends it", () => {
    const body = bodyOf(AL10.postData!);
    expect(body).toContain("subject=yansongda%2B%E6%B5%8B%E8%AF%95+-+1");
    const verified = verifyAlipayNotify(body, vectorKey("AL-10"));
    expect(verified.params.subject).toBe("yansongda+测试 - 1");
  });

  it("fails when the literal plus is sent raw and so reads as a space", () => {
    const body = bodyOf(AL10.postData!).replace("yansongda%2B", "yansongda+");
    expect(parseAlipayForm(body).subject).toBe("yansongda 测试 - 1");
    expect(() => verifyAlipayNotify(body, vectorKey("AL-10"))).toThrow(AlipaySignatureError);
  });

  it("fails when the body is decoded twice (a %2B kept as text)", () => {
    const body = bodyOf(AL10.postData!).replace("yansongda%2B", "yansongda%252B");
    expect(() => verifyAlipayNotify(body, vectorKey("AL-10"))).toThrow(AlipaySignatureError);
  });
});

describe("AL-11: return_url query string (yansongda)", () => {
  it("decodes '+' as a space once and verifies", () => {
    const params = parseAlipayForm(AL11.queryString!);
    expect(params.timestamp).toBe("2023-12-21 14:48:44");
    expect(buildAlipaySignContent(params, { excludeSignType: true })).toBe(AL11_STRING);
    expect(verifyAlipayNotify(AL11.queryString!, vectorKey("AL-11")).params.out_trade_no).toBe("1703141270");
    expect(verifyAlipayNotify(`?${AL11.queryString!}`, vectorKey("AL-11")).signTypeSigned).toBe(false);
  });

  it("fails when one byte of the query changes", () => {
    expect(() => verifyAlipayNotify(AL11.queryString!.replace("total_amount=0.01", "total_amount=0.02"), vectorKey("AL-11"))).toThrow(AlipaySignatureError);
  });
});

describe("form parsing", () => {
  it("refuses duplicate keys and malformed escapes", () => {
    expect(() => parseAlipayForm("a=1&a=2")).toThrow(AlipayValidationError);
    expect(() => parseAlipayForm("a=%E6%B5")).toThrow(AlipayValidationError);
  });

  it("round-trips +, %, &, = and non-ASCII values", () => {
    const fields = { subject: "1+1=2 & 100% 测试", body: "a b" };
    expect(parseAlipayForm(encodeAlipayForm(fields))).toEqual(fields);
  });

  it("the ack is the bare word success", () => {
    expect(ALIPAY_NOTIFY_ACK).toBe("success");
  });
});

describe("interop with alipay-sdk", () => {
  const keys = freshKeyPair();
  const { AlipaySdk } = alipaySdk();
  const sdk = new AlipaySdk({ appId: "2021000000000000", privateKey: keys.privatePkcs1, alipayPublicKey: keys.publicSpki });
  const fields = {
    notify_type: "trade_status_sync",
    notify_id: "2026112500222155624068450559358070",
    app_id: "2021000000000000",
    out_trade_no: "vk-20261125-0001",
    trade_no: "2026112522001468450512505578",
    trade_status: "TRADE_SUCCESS",
    total_amount: "12.30",
    subject: "会员 1+1 月",
    fund_bill_list: '[{"amount":"12.30","fundChannel":"ALIPAYACCOUNT"}]',
    gmt_payment: "2026-11-25 20:00:01",
  };

  it.each([false, true])("checkNotifySignV2 and checkNotifySign accept our notification (signTypeSigned=%s)", (signTypeSigned) => {
    const { body } = signAlipayNotify(fields, keys.privatePkcs8, { signTypeSigned });
    const received = parseAlipayForm(body);
    expect(received.subject).toBe("会员 1+1 月");
    expect(sdk.checkNotifySignV2(received)).toBe(true);
    expect(sdk.checkNotifySign(received)).toBe(true);
    expect(verifyAlipayNotify(body, keys.publicSpki).signTypeSigned).toBe(signTypeSigned);
  });

  it("alipay-sdk refuses our notification after a change, as we do", () => {
    const received = parseAlipayForm(signAlipayNotify(fields, keys.privatePkcs8).body);
    const tampered = { ...received, total_amount: "0.01" };
    expect(sdk.checkNotifySignV2(tampered)).toBe(false);
    expect(() => verifyAlipayNotifyParams(tampered, keys.publicSpki)).toThrow(AlipaySignatureError);
  });

  it("fields signed with alipay-sdk's signer (sign_type included) verify with ours", () => {
    const { sign } = alipaySdkUtil();
    const signed = sign(
      "alipay.open.servicemarket.order.notify",
      { notifyId: "n-1", orderTicket: "29b1+c37d", title: "模版 A" },
      {
        appId: "2021000000000000",
        charset: "utf-8",
        version: "1.0",
        signType: "RSA2",
        privateKey: keys.privatePkcs1,
        keyType: "PKCS1",
      },
    );
    const verified = verifyAlipayNotify(encodeAlipayForm(signed), keys.publicSpki);
    expect(verified.signTypeSigned).toBe(true);
    expect(verified.params.order_ticket).toBe("29b1+c37d");
    expect(() => verifyAlipayNotify(encodeAlipayForm({ ...signed, title: "模版 B" }), keys.publicSpki)).toThrow(AlipaySignatureError);
  });
});

describe("empty values stay in the signed text (issue 10 item 9)", () => {
  it("accepts a genuinely signed notification whose body= is empty, as alipay-sdk's checkNotifySign does", () => {
    const keys = freshKeyPair();
    const fields: Record<string, string> = {
      app_id: "2021000000000001",
      body: "",
      notify_type: "trade_status_sync",
      out_trade_no: "E-1",
      total_amount: "0.01",
      trade_no: "2026120622001400000000000001",
      trade_status: "TRADE_SUCCESS",
      sign_type: "RSA2",
    };
    // What Alipay signs: every field but sign and sign_type, empty ones included as `key=`.
    const content = Object.keys(fields)
      .filter((key) => key !== "sign_type")
      .sort()
      .map((key) => `${key}=${fields[key]}`)
      .join("&");
    expect(content).toContain("&body=&");
    const sign = createSign("RSA-SHA256").update(content, "utf8").sign(keys.privatePkcs8, "base64");
    const body = encodeAlipayForm({ ...fields, sign });
    const sdk = new (alipaySdk().AlipaySdk)({ appId: fields.app_id, privateKey: keys.privatePkcs8, alipayPublicKey: keys.publicSpki });
    expect(sdk.checkNotifySign({ ...fields, sign })).toBe(true);
    const verified = verifyAlipayNotify(body, keys.publicSpki);
    expect(verified.params.body).toBe("");
    expect(verified.signTypeSigned).toBe(false);
  });

  it("still refuses the notification when the empty field is dropped from what was signed but sent", () => {
    const keys = freshKeyPair();
    const fields = { app_id: "2021000000000001", out_trade_no: "E-2", total_amount: "0.01" };
    const content = "app_id=2021000000000001&out_trade_no=E-2&total_amount=0.01";
    const sign = createSign("RSA-SHA256").update(content, "utf8").sign(keys.privatePkcs8, "base64");
    // A field added after signing, even an empty one, is not what Alipay signed.
    expect(() => verifyAlipayNotifyParams({ ...fields, body: "", sign }, keys.publicSpki)).toThrow(AlipaySignatureError);
  });
});

describe("a refused notification's evidence", () => {
  it("carries notify_time as the signing time (Beijing time), so the log can show the clock offset", () => {
    const signer = freshKeyPair();
    const stranger = freshKeyPair();
    const params = { notify_time: "2026-12-07 18:30:00", out_trade_no: "T1", trade_status: "TRADE_SUCCESS", total_amount: "1.00", app_id: "2021000000000001" };
    const signed = signAlipayNotify(params, signer.privatePkcs8).params;
    let refused: unknown;
    try {
      verifyAlipayNotifyParams(signed, stranger.publicSpki);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AlipaySignatureError);
    // With the hash of the documented string (sign and sign_type left out) and the algorithm named.
    const content = `app_id=2021000000000001&notify_time=2026-12-07 18:30:00&out_trade_no=T1&total_amount=1.00&trade_status=TRADE_SUCCESS`;
    expect((refused as AlipaySignatureError).evidence).toEqual({
      signedAt: Date.UTC(2026, 11, 7, 10, 30, 0),
      checkedTextSha256: createHash("sha256").update(content).digest("hex"),
      algorithm: "RSA2",
    });
  });
});
