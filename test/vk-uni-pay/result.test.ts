import { failures, ProviderRejectedError, SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { WxpayV3ConfigError } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/errors";
import { AlipayValidationError } from "../../common/vk-uni-pay/src/providers/alipay/protocol/errors";
import { respond } from "../../common/vk-uni-pay/src/core/result";

describe("the public envelope", () => {
  it("wraps a result as { code: 0, msg: 'success', data }", async () => {
    expect(await respond("op", async () => ({ a: 1 }))).toEqual({ code: 0, msg: "success", data: { a: 1 } });
  });

  it("maps the library's errors to their number, message and stable errCode", async () => {
    expect(await respond("op", async () => Promise.reject(failures.orderNotFound()))).toEqual({
      code: 2001,
      msg: "订单不存在",
      errCode: "vk-pay-order-not-found",
    });
    expect(await respond("op", async () => Promise.reject(failures.notifyUrlMissing()))).toMatchObject({ code: 101, errCode: "vk-pay-notify-url-missing" });
    const rejected = await respond("op", async () => Promise.reject(new ProviderRejectedError("PARAM_ERROR", "appid和mch_id不匹配")));
    expect(rejected).toEqual({ code: 3001, msg: "获取支付信息失败，请稍后再试", errCode: "vk-pay-provider-rejected" });
  });

  it("answers an unexpected error generically and logs it instead of returning its detail", async () => {
    const lines: string[] = [];
    const reply = await respond(
      "createPayment",
      async () => Promise.reject(new Error("cannot read /secret/apiclient_key.pem")),
      (line) => lines.push(line),
    );
    expect(reply).toEqual({ code: 500, msg: "服务器内部错误，请稍后再试", errCode: "vk-pay-internal-error" });
    expect(JSON.stringify(reply)).not.toContain("apiclient_key");
    expect(lines[0]).toContain("createPayment failed");
  });

  it.each([
    ["a signature failure", new SignatureError("wxpay-v3-signature-invalid", "header Wechatpay-Nonce is missing or repeated")],
    ["a protocol config error", new WxpayV3ConfigError("wxpay-v3-invalid-api-v3-key", "APIv3 key must be exactly 32 bytes")],
    ["a malformed answer", new AlipayValidationError("alipay-response-malformed", "response is not JSON")],
  ])("answers %s in Chinese and keeps the protocol's English detail for the log", async (_, error) => {
    const lines: string[] = [];
    const reply = await respond(
      "op",
      async () => Promise.reject(error),
      (line) => lines.push(line),
    );
    expect(reply).toMatchObject({ code: error.code, errCode: error.errCode });
    expect((reply as { msg: string }).msg).toMatch(/[\u4e00-\u9fff]/);
    expect((reply as { msg: string }).msg).not.toContain(error.detail!);
    expect(lines.join("\n")).toContain(error.detail!);
  });
});
