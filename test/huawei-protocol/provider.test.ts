import { constants, generateKeyPairSync, verify } from "node:crypto";
import { RefundNotFoundError, SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { huawei } from "../../common/vk-uni-pay/src/providers/huawei";
import { generateSm2PrivateKeyHex, huaweiSignString, sm2PublicKeyHex, sm2PublicKeyOf, sm2Sign } from "../../common/vk-uni-pay/src/providers/huawei/protocol";

/**
 * The huawei provider against an in-memory Huawei: what it sends (PayMercAuth built as the official Java
 * sample builds it, bodySign over the path for a GET) and what it refuses to believe (an answer not signed
 * by the configured platform key).
 */
const merchant = generateKeyPairSync("rsa", { modulusLength: 3072 });
const platform = generateSm2PrivateKeyHex();
const stranger = generateSm2PrivateKeyHex();

function config(platformPublicKey: string) {
  return Object.freeze({
    appId: "5765880207854262001",
    mchId: "101723200001",
    mchAuthId: "120291744647139001",
    mchPrivateKey: merchant.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    platformPublicKey,
    baseUrl: "http://huawei.test",
  });
}

const signed = (fields: Record<string, unknown>, key: string) => ({ ...fields, sign: sm2Sign(huaweiSignString(fields), key).toString("base64") });

type Sent = { url: string; options: Record<string, any> };

function runtime(reply: (sent: Sent) => Record<string, unknown>, sent: Sent[]): ProviderRuntime {
  return {
    now: () => 1_765_000_000_000,
    async request(url, options) {
      sent.push({ url, options });
      return { status: 200, headers: {}, data: Buffer.from(JSON.stringify(reply({ url, options }))) };
    },
  };
}

const pss = (content: string, signature: string) =>
  verify(
    "sha256",
    Buffer.from(content),
    { key: merchant.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    Buffer.from(signature, "base64"),
  );

describe("huawei provider against an in-memory Huawei", () => {
  it("signs a GET's path in bodySign and builds headerSign over authId, bodySign, callerId, time and traceId", async () => {
    const sent: Sent[] = [];
    const status = await huawei.queryPayment(
      { mode: "mp-harmony", config: config(sm2PublicKeyHex(sm2PublicKeyOf(platform))), outTradeNo: "HW20261207001" },
      runtime(
        () => signed({ resultCode: "000000", resultDesc: "Success.", mercOrderNo: "HW20261207001", orderStatus: "TRX_PROC", totalAmount: 100 }, platform),
        sent,
      ),
    );
    expect(status).toMatchObject({ state: "USERPAYING", totalFee: 100 });
    expect(sent[0]!.url).toBe("http://huawei.test/api/v2/aggr/transactions/merc-orders/HW20261207001");
    expect(sent[0]!.options.method).toBe("GET");
    const auth = JSON.parse(sent[0]!.options.headers.PayMercAuth);
    expect(auth).toMatchObject({ callerId: "101723200001", authId: "120291744647139001", time: 1_765_000_000_000 });
    expect(pss("/api/v2/aggr/transactions/merc-orders/HW20261207001", auth.bodySign)).toBe(true);
    const header = `authId=${auth.authId}&bodySign=${auth.bodySign}&callerId=${auth.callerId}&time=${auth.time}&traceId=${auth.traceId}`;
    expect(pss(header, auth.headerSign)).toBe(true);
  });

  it("maps Huawei's not-found code TRX100010 to an unpaid order and to RefundNotFoundError; any other refusal stays a refusal", async () => {
    const key = sm2PublicKeyHex(sm2PublicKeyOf(platform));
    const refusal = (subCode: string) => () => signed({ resultCode: "400000", resultDesc: "failed", subCode, subDesc: "x" }, platform);
    const order = { mode: "mp-harmony", config: config(key), outTradeNo: "HW404" };
    expect(await huawei.queryPayment(order, runtime(refusal("TRX100010"), []))).toMatchObject({ state: "NOTPAY" });
    await expect(huawei.queryPayment(order, runtime(refusal("TRX000003"), []))).rejects.toMatchObject({ kind: "provider" });
    const refund = { ...order, outRefundNo: "HW404-1", refundId: "R1" };
    await expect(huawei.queryRefund(refund, runtime(refusal("TRX100010"), []))).rejects.toBeInstanceOf(RefundNotFoundError);
    await expect(huawei.queryRefund(refund, runtime(refusal("TRX141305"), []))).rejects.not.toBeInstanceOf(RefundNotFoundError);
  });

  it("refuses an answer signed by another SM2 key, or not signed at all, before reading it", async () => {
    const answer = { resultCode: "000000", resultDesc: "Success.", prepayId: "p1", mercOrderNo: "HW1" };
    const request = {
      mode: "app-plus",
      config: config(sm2PublicKeyHex(sm2PublicKeyOf(platform))),
      outTradeNo: "HW1",
      totalFee: 100,
      subject: "充值",
      notifyUrl: "https://example.com/n",
      clientIp: "127.0.0.1",
      bizType: "recharge",
    };
    await expect(
      huawei.createPayment(
        request,
        runtime(() => signed(answer, stranger), []),
      ),
    ).rejects.toBeInstanceOf(SignatureError);
    await expect(
      huawei.createPayment(
        request,
        runtime(() => answer, []),
      ),
    ).rejects.toBeInstanceOf(SignatureError);
    const sent: Sent[] = [];
    const created = await huawei.createPayment(
      request,
      runtime(() => signed(answer, platform), sent),
    );
    expect(sent[0]!.url).toBe("http://huawei.test/api/v2/aggr/preorder/create/app");
    const body = JSON.parse(sent[0]!.options.content);
    expect(body).not.toHaveProperty("bizType");
    expect(body).not.toHaveProperty("biz_type");
    expect(pss(huaweiSignString(body), JSON.parse(sent[0]!.options.headers.PayMercAuth).bodySign)).toBe(true);
    expect(JSON.parse(created.orderInfo as string)).toMatchObject({ prepay_id: "p1" });
  });

  it("takes the platform key as SPKI too (PEM), verifying a callback with it, and requires biz_type before anything is sent", async () => {
    // SubjectPublicKeyInfo of an SM2 point: id-ecPublicKey with the SM2 curve OID, then the point (RFC 5480 layout).
    const der = Buffer.concat([
      Buffer.from("3059301306072a8648ce3d020106082a811ccf5501822d034200", "hex"),
      Buffer.from(sm2PublicKeyHex(sm2PublicKeyOf(platform)), "hex"),
    ]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${der.toString("base64")}\n-----END PUBLIC KEY-----\n`;
    const callback = signed(
      {
        callbackId: "c1",
        dataType: "plain",
        signType: "SM2",
        mercNo: "101723200001",
        appId: "5765880207854262001",
        mercOrderNo: "HW1",
        orderStatus: "TRX_SUCCESS",
        totalAmount: 100,
      },
      platform,
    );
    const notification = { method: "POST", path: "/vk-pay-notify/huawei_mp-harmony/HW1", headers: {}, body: Buffer.from(JSON.stringify(callback)) };
    for (const key of [pem, der.toString("base64")]) {
      await expect(
        huawei.verifyNotify(
          notification,
          config(key),
          runtime(() => ({}), []),
        ),
      ).resolves.toMatchObject({ kind: "payment", state: "SUCCESS", totalFee: 100 });
    }
    const forged = { ...notification, body: Buffer.from(JSON.stringify({ ...callback, totalAmount: 1 })) };
    await expect(
      huawei.verifyNotify(
        forged,
        config(pem),
        runtime(() => ({}), []),
      ),
    ).rejects.toBeInstanceOf(SignatureError);
    expect(() => huawei.checkCreate!({ mode: "mp-harmony" })).toThrow(/biz_type/);
    expect(() => huawei.checkCreate!({ mode: "mp-harmony", bizType: "goods" })).not.toThrow();
  });
});
