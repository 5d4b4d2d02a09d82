import { queryAccountBalance } from "../../common/vk-uni-pay/src/api/account-balance";
import { createPayment } from "../../common/vk-uni-pay/src/api/create-payment";
import { code2Session } from "../../common/vk-uni-pay/src/api/openid";

const code2SessionAlipay = (params: Parameters<typeof code2Session>[1], deps: Parameters<typeof code2Session>[2]) =>
  code2Session("code2SessionAlipay", params, deps);
import { refund } from "../../common/vk-uni-pay/src/api/refund";
import type { ApiDeps } from "../../common/vk-uni-pay/src/api/shared";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import { findOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import { getAlipayCertSn, getAlipayRootCertSn } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import {
  APP_ID,
  certModeConfig,
  FakeAlipay,
  generateKeys,
  issueCertificates,
  keyModeConfig,
  NOW,
  sdkAgrees,
  type AlipayCertificates,
  type AlipayKeys,
} from "./fake-alipay";
import { memoryDatabase } from "../helpers/deps";

describe("alipay through the library's public calls", () => {
  const provider = createAlipayProvider();
  let keys: AlipayKeys;
  let certs: AlipayCertificates;
  let database: ReturnType<typeof memoryDatabase>;
  let alipay: FakeAlipay;
  let config: Record<string, unknown>;
  let deps: ApiDeps;

  beforeAll(async () => {
    keys = generateKeys();
    certs = await issueCertificates(keys);
  });
  beforeEach(() => {
    database = memoryDatabase();
    alipay = new FakeAlipay(keys);
    config = {
      notifyUrl: { local: "http://127.0.0.1:8787/http/vk-pay" },
      alipay: {
        "mp-alipay": keyModeConfig(keys),
        h5: keyModeConfig(keys),
        codepay: keyModeConfig(keys),
        transfer: keyModeConfig(keys, { appId: "2021004100000002" }),
      },
    };
    deps = {
      db: database.db,
      now: () => NOW,
      log: () => undefined,
      config: () => validatePayConfig(config),
      runtime: alipay.runtime,
      findProvider: (name) => (name === "alipay" ? provider : undefined),
      providerNames: () => ["alipay"],
    };
  });
  afterEach(() => database.close());

  describe("code2SessionAlipay (alipay.system.oauth.token)", () => {
    const token = (body: Record<string, unknown>) => alipay.on("alipay.system.oauth.token", () => ({ body }));
    const granted = {
      user_id: "2088102150477652",
      access_token: "20120823ac6ffaa4d2d84e7384bf983531473993",
      expires_in: "3600",
      refresh_token: "20120823ac6ffdsdf2d84e7384bf983531473993",
      re_expires_in: "3600",
    };

    it("exchanges the code for the user id; the access and refresh tokens never leave the server", async () => {
      token(granted);
      const reply = await code2SessionAlipay({ code: "4b203fe6c11548bcabd8da5bb087a83b" }, deps);
      expect(reply).toEqual({ code: 0, msg: "success", data: { openid: "2088102150477652", user_id: "2088102150477652" } });
      expect(JSON.stringify(reply)).not.toContain("20120823");
      const call = alipay.only("alipay.system.oauth.token");
      expect(call.signatureValid).toBe(true);
      expect(sdkAgrees(call, keys)).toEqual({ verifies: true, sameSign: true });
      // A method without business content: grant_type and code travel as request parameters.
      expect(call.form).toEqual({ grant_type: "authorization_code", code: "4b203fe6c11548bcabd8da5bb087a83b" });
      expect(call.params).not.toHaveProperty("biz_content");
    });

    it("apps on OpenID get open_id as the openid", async () => {
      token({ open_id: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", access_token: "x", expires_in: "3600" });
      expect(await code2SessionAlipay({ code: "c1" }, deps)).toMatchObject({
        code: 0,
        data: { openid: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", open_id: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5" },
      });
    });

    it("appid picks the sub-config with that appId", async () => {
      token(granted);
      await code2SessionAlipay({ code: "c1", appid: "2021004100000002" }, deps);
      expect(alipay.requests[0]!.query.app_id).toBe("2021004100000002");
      expect(await code2SessionAlipay({ code: "c1", appid: "2021000000000000" }, deps)).toMatchObject({ errCode: "vk-pay-alipay-appid-unknown" });
    });

    it("an expired or used code is a readable failure, a missing one is 1013", async () => {
      alipay.on("alipay.system.oauth.token", () => ({
        errorResponse: true,
        body: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.code-invalid", sub_msg: "授权码code无效" },
      }));
      expect(await code2SessionAlipay({ code: "used" }, deps)).toMatchObject({ code: 3001, msg: "code无效或已被使用，请重新获取" });
      expect(await code2SessionAlipay({ code: "" }, deps)).toMatchObject({ code: 1013 });
      expect(await code2SessionAlipay({ code: { $gt: "" } } as never, deps)).toMatchObject({ code: 1013 });
    });
  });

  describe("queryAccountBalance (alipay.data.bill.balance.query)", () => {
    it("answers vk-uni-pay's camelCase yuan amounts, and the same in fen", async () => {
      alipay.on("alipay.data.bill.balance.query", () => ({
        body: { code: "10000", msg: "Success", total_amount: "1000.07", available_amount: "990.07", freeze_amount: "10.00" },
      }));
      const reply = await queryAccountBalance({ provider: "alipay", platform: "transfer" }, deps);
      expect(reply).toEqual({
        code: 0,
        msg: "success",
        data: { availableAmount: 990.07, freezeAmount: 10, totalAmount: 1000.07, availableFee: 99007, freezeFee: 1000, totalFee: 100007 },
      });
      const call = alipay.only("alipay.data.bill.balance.query");
      expect(call.query.app_id).toBe("2021004100000002");
      expect(call.signatureValid).toBe(true);
    });

    it("works in certificate mode, and refuses other providers and a missing sub-config", async () => {
      config = { ...config, alipay: { transfer: certModeConfig(keys, certs) } };
      alipay = FakeAlipay.forCertificates(keys, certs).on("alipay.data.bill.balance.query", () => ({
        body: { code: "10000", msg: "Success", available_amount: "0.00" },
      }));
      deps = { ...deps, runtime: alipay.runtime };
      expect(await queryAccountBalance({ provider: "alipay" }, deps)).toMatchObject({ code: 0, data: { availableAmount: 0, availableFee: 0, freezeFee: 0 } });
      // The serial numbers as Alipay computes them from the configured certificates, not just "something".
      expect(alipay.requests[0]!.query).toMatchObject({
        app_cert_sn: getAlipayCertSn(certs.appCert),
        alipay_root_cert_sn: getAlipayRootCertSn(certs.rootCert),
      });
      expect(await queryAccountBalance({ provider: "wxpay" }, deps)).toMatchObject({ errCode: "vk-pay-balance-unsupported" });
      expect(await queryAccountBalance({ provider: "alipay", platform: "h5" }, deps)).toMatchObject({ errCode: "vk-pay-merchant-config-missing" });
    });
  });

  describe("the payment calls", () => {
    const context = { PLATFORM: "h5", CLIENTIP: "10.0.0.1", SPACEINFO: { spaceId: "local" } };
    const data = { out_trade_no: "T1", total_fee: 1234, subject: "会员", type: "vip", user_id: "u1" };

    it("createPayment h5 → alipay_h5, the precreate QR code, notify_url for this order", async () => {
      alipay.on("alipay.trade.precreate", () => ({ body: { code: "10000", msg: "Success", out_trade_no: "T1", qr_code: "https://qr.alipay.com/bax1" } }));
      const reply = await createPayment({ context, provider: "alipay", data }, deps);
      expect(reply).toMatchObject({ code: 0, data: { orderInfo: { codeUrl: "https://qr.alipay.com/bax1" }, pay_type: "alipay_h5", needQRcode: true } });
      expect(alipay.only("alipay.trade.precreate").query.notify_url).toBe("http://127.0.0.1:8787/http/vk-pay/vk-pay-notify/alipay_h5/T1");
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "NOTPAY", provider_appid: APP_ID });
    });

    it("a pay-code paid at once is applied; a full refund settles synchronously", async () => {
      alipay.on("alipay.trade.pay", () => ({
        body: { code: "10000", msg: "Success", out_trade_no: "T1", trade_no: "2026011522001400001", total_amount: "12.34" },
      }));
      alipay.on("alipay.trade.refund", () => ({
        body: {
          code: "10000",
          msg: "Success",
          out_trade_no: "T1",
          trade_no: "2026011522001400001",
          refund_fee: "12.34",
          fund_change: "Y",
          gmt_refund_pay: "2026-01-15 12:10:00",
        },
      }));
      expect(await createPayment({ context, provider: "alipay", data: { ...data, auth_code: "287951669891795468" } }, deps)).toMatchObject({
        code: 0,
        data: { pay_type: "alipay_codepay", orderInfo: { tradeState: "SUCCESS" } },
      });
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "SUCCESS", transaction_id: "2026011522001400001" });
      expect(await refund({ out_trade_no: "T1" }, deps)).toMatchObject({
        code: 0,
        data: { out_refund_no: "T1-1", refund_status: "SUCCESS", refund_fee: 1234 },
      });
      expect(alipay.only("alipay.trade.refund").biz).toMatchObject({ out_request_no: "T1-1", refund_amount: "12.34" });
      expect(await findRefund("T1-1", deps.db)).toMatchObject({ status: "SUCCESS" });
    });
  });
});
