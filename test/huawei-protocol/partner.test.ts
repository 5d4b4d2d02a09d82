import { generateKeyPairSync } from "node:crypto";
import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { huawei } from "../../common/vk-uni-pay/src/providers/huawei";
import { generateSm2PrivateKeyHex, huaweiSignString, sm2PublicKeyHex, sm2PublicKeyOf, sm2Sign } from "../../common/vk-uni-pay/src/providers/huawei/protocol";

/**
 * Service-provider mode: a sub-config with `subMchId` (or an order with `sub_mchid`) sends every trade call
 * to Payment Kit's `/partner/` APIs and names the provider and its sub-merchant in the preorder.
 */
const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platform = generateSm2PrivateKeyHex();

const config = (extra: Record<string, unknown> = {}) =>
  Object.freeze({
    appId: "5765880207854262001",
    mchId: "101723200001",
    mchAuthId: "120291744647139001",
    mchPrivateKey: merchant.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    platformPublicKey: sm2PublicKeyHex(sm2PublicKeyOf(platform)),
    baseUrl: "http://huawei.test",
    ...extra,
  });

const signed = (fields: Record<string, unknown>) => ({ ...fields, sign: sm2Sign(huaweiSignString(fields), platform).toString("base64") });

type Sent = { url: string; options: Record<string, any> };

function runtime(reply: Record<string, unknown>, sent: Sent[]): ProviderRuntime {
  return {
    now: () => 1_765_000_000_000,
    async request(url, options) {
      sent.push({ url, options });
      return { status: 200, headers: {}, data: Buffer.from(JSON.stringify(signed(reply))) };
    },
  };
}

const create = (cfg: ReturnType<typeof config>, partner?: { subMchId: string }) => ({
  mode: "mp-harmony",
  config: cfg,
  ...(partner ? { partner } : {}),
  outTradeNo: "HWP1",
  totalFee: 100,
  subject: "充值",
  notifyUrl: "https://example.com/n",
  clientIp: "127.0.0.1",
  bizType: "recharge",
});

describe("huawei provider as a service provider (/partner/ APIs)", () => {
  it("preorders under /api/v2/partner/ with spAppId, spMercNo and subMercNo, from the config's subMchId", async () => {
    const sent: Sent[] = [];
    const created = await huawei.createPayment(
      create(config({ subMchId: "101723200002", subAppId: "5765880207854262777" })),
      runtime({ resultCode: "000000", prepayId: "p1", mercOrderNo: "HWP1" }, sent),
    );
    expect(sent[0]!.url).toBe("http://huawei.test/api/v2/partner/aggr/preorder/create/fa");
    const body = JSON.parse(sent[0]!.options.content);
    expect(body).toMatchObject({ spAppId: "5765880207854262001", spMercNo: "101723200001", subMercNo: "101723200002", subAppId: "5765880207854262777" });
    expect(body).not.toHaveProperty("mercNo");
    expect(body).not.toHaveProperty("appId");
    // The client pays in the sub-merchant's app; the provider's certificate signs.
    expect(JSON.parse(created.orderInfo as string)).toMatchObject({ app_id: "5765880207854262777", merc_no: "101723200001", auth_id: "120291744647139001" });
  });

  it("takes the order's sub_mchid over the config's, and a direct config stays on the direct APIs", async () => {
    const sent: Sent[] = [];
    await huawei.createPayment(
      create(config({ subMchId: "101723200002" }), { subMchId: "101723200009" }),
      runtime({ resultCode: "000000", prepayId: "p" }, sent),
    );
    expect(JSON.parse(sent[0]!.options.content)).toMatchObject({ subMercNo: "101723200009" });
    await huawei.createPayment(create(config()), runtime({ resultCode: "000000", prepayId: "p" }, sent));
    expect(sent[1]!.url).toBe("http://huawei.test/api/v2/aggr/preorder/create/fa");
    await expect(huawei.createPayment({ ...create(config({ subMchId: "101723200002" })), other: { subMercNo: "x" } }, runtime({}, []))).rejects.toMatchObject({
      errCode: "vk-pay-other-invalid",
    });
  });

  it("queries, refunds and queries refunds under /partner/, and refuses an answer about another sub-merchant", async () => {
    const cfg = config({ subMchId: "101723200002" });
    const sent: Sent[] = [];
    const order = { mode: "mp-harmony", config: cfg, outTradeNo: "HWP1" };
    const paid = {
      resultCode: "000000",
      mercOrderNo: "HWP1",
      orderStatus: "TRX_SUCCESS",
      totalAmount: 100,
      spMercNo: "101723200001",
      subMercNo: "101723200002",
    };
    expect(await huawei.queryPayment(order, runtime(paid, sent))).toMatchObject({ state: "SUCCESS", mchId: "101723200001", subMchId: "101723200002" });
    expect(sent[0]!.url).toBe("http://huawei.test/api/v2/partner/aggr/transactions/merc-orders/HWP1");
    await expect(huawei.queryPayment(order, runtime({ ...paid, subMercNo: "101723200003" }, []))).rejects.toBeInstanceOf(SignatureError);
    await huawei.refund(
      { ...order, outRefundNo: "HWP1-R1", refundFee: 50, totalFee: 100, notifyUrl: "https://example.com/r" },
      runtime({ resultCode: "000000", mercRefundOrderNo: "HWP1-R1", sysRefundOrderNo: "S1", refundAmount: 50 }, sent),
    );
    expect(sent[1]!.url).toBe("http://huawei.test/api/v1/partner/aggr/transactions/refunds");
    await huawei.queryRefund(
      { ...order, outRefundNo: "HWP1-R1", refundId: "S1" },
      runtime({ resultCode: "000000", mercRefundOrderNo: "HWP1-R1", refundOrderStatus: "REFUND_SUCCESS", refundAmount: 50 }, sent),
    );
    expect(sent[2]!.url).toBe("http://huawei.test/api/v1/partner/aggr/transactions/refunds/orders/S1");
  });

  it("binds a partner callback to the provider and the configured sub-merchant", async () => {
    const cfg = config({ subMchId: "101723200002" });
    const callback = (fields: Record<string, unknown>) => ({
      method: "POST",
      path: "/vk-pay-notify/huawei_mp-harmony/HWP1",
      headers: {},
      body: Buffer.from(
        JSON.stringify(
          signed({ callbackId: "c1", dataType: "plain", signType: "SM2", mercOrderNo: "HWP1", orderStatus: "TRX_SUCCESS", totalAmount: 100, ...fields }),
        ),
      ),
    });
    const ok = callback({ spMercNo: "101723200001", spAppId: "5765880207854262001", subMercNo: "101723200002" });
    await expect(huawei.verifyNotify(ok, cfg, runtime({}, []))).resolves.toMatchObject({ kind: "payment", mchId: "101723200001", subMchId: "101723200002" });
    await expect(huawei.verifyNotify(callback({ spMercNo: "101723200001", subMercNo: "101723200003" }), cfg, runtime({}, []))).rejects.toBeInstanceOf(
      SignatureError,
    );
    await expect(huawei.verifyNotify(callback({ spMercNo: "101723200009", subMercNo: "101723200002" }), cfg, runtime({}, []))).rejects.toBeInstanceOf(
      SignatureError,
    );
  });

  it("refuses a malformed subMchId, and a subAppId without one", async () => {
    await expect(huawei.createPayment(create(config({ subMchId: "no spaces" })), runtime({}, []))).rejects.toMatchObject({
      errCode: "vk-pay-huawei-config-invalid",
    });
    await expect(huawei.createPayment(create(config({ subAppId: "5765880207854262777" })), runtime({}, []))).rejects.toMatchObject({
      errCode: "vk-pay-huawei-config-invalid",
    });
  });
});
