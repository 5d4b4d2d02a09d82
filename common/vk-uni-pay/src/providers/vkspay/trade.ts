import { NetworkError, ProviderRejectedError, SignatureError, ValidationError } from "../../core/errors";
import { fenToYuan, yuanToFen } from "../../core/money";
import type { CreateRequest, CreateResult, OrderRef, PaymentStatus, ProviderRuntime, RefundRequest, RefundStatus } from "../../kernel/contract";
import type { VkspayMerchant } from "./merchant";
import { epaySign } from "./sign";

/**
 * The 易支付 calls VksPay is spoken through: `mapi.php` (API order: a QR code or a cashier link back),
 * `api.php?act=order` (query) and `api.php?act=refund`. The two `api.php` calls carry the merchant key in
 * the clear and are not signed, as the protocol defines them: that is the protocol's risk, noted in the
 * README. No answer is signed either, so an answer is only believed about the order it names.
 *
 * @see https://z-pay.cn/ (a copy of the 易支付 interface document: API接口支付, 查询单个订单, 提交订单退款)
 */

async function call(merchant: VkspayMerchant, runtime: ProviderRuntime, url: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
  let response: Awaited<ReturnType<ProviderRuntime["request"]>>;
  try {
    response = await runtime.request(url, {
      method: form ? "POST" : "GET",
      headers: form ? { "Content-Type": "application/x-www-form-urlencoded;charset=utf-8" } : {},
      ...(form ? { content: new URLSearchParams(form).toString() } : {}),
      timeout: merchant.timeoutMs,
      dataType: "",
    });
  } catch {
    throw new NetworkError();
  }
  if (!response || response.status >= 500) throw new NetworkError();
  const text = Buffer.isBuffer(response.data) ? response.data.toString("utf8") : String(response.data ?? "");
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Fall through: not JSON.
  }
  throw new SignatureError("vkspay-answer-invalid", `VksPay answered ${new URL(url).pathname} with no JSON object (HTTP ${response.status})`);
}

const isOk = (answer: Record<string, unknown>) => answer.code === 1 || answer.code === "1";
const rejected = (answer: Record<string, unknown>, what: string) =>
  new ProviderRejectedError(String(answer.code ?? "unknown"), String(answer.msg ?? ""), `VksPay${what}失败：${String(answer.msg ?? answer.code ?? "")}`);

/** `type` is the channel inside VksPay's cashier: the caller's `provider_pay_method`, WeChat Pay in a mini program. */
export function channelOf(mode: string, payMethod: string | undefined): "wxpay" | "alipay" | undefined {
  const method = payMethod ?? (mode === "mp-weixin" ? "wxpay" : undefined);
  return method === "wxpay" || method === "alipay" ? method : undefined;
}

export async function createVkspayPayment(request: CreateRequest, merchant: VkspayMerchant, runtime: ProviderRuntime): Promise<CreateResult> {
  const type = channelOf(request.mode, request.payMethod);
  if (!type)
    throw new ValidationError(
      -1,
      "pay-method-invalid",
      "VksPay需要 provider_pay_method 为 wxpay 或 alipay",
      "vkspay needs provider_pay_method wxpay or alipay",
    );
  const params: Record<string, string> = {
    pid: merchant.mchId,
    type,
    out_trade_no: request.outTradeNo,
    notify_url: request.notifyUrl,
    ...(request.returnUrl ? { return_url: request.returnUrl } : {}),
    name: request.subject.slice(0, 127),
    money: fenToYuan(request.totalFee),
    clientip: request.clientIp,
    device: request.mode === "mp-weixin" ? "wechat" : request.mode === "app-plus" ? "mobile" : "pc",
  };
  const answer = await call(merchant, runtime, `${merchant.gatewayUrl}/mapi.php`, { ...params, sign: epaySign(params, merchant.key), sign_type: "MD5" });
  if (!isOk(answer)) throw rejected(answer, "下单");
  const codeUrl = typeof answer.qrcode === "string" && answer.qrcode ? answer.qrcode : undefined;
  const mwebUrl = typeof answer.payurl === "string" && answer.payurl ? answer.payurl : undefined;
  const urlScheme = typeof answer.urlscheme === "string" && answer.urlscheme ? answer.urlscheme : undefined;
  if (!codeUrl && !mwebUrl && !urlScheme) throw new SignatureError("vkspay-answer-invalid", "VksPay's mapi.php answer has no qrcode, payurl or urlscheme");
  return {
    orderInfo: { ...(codeUrl ? { codeUrl } : {}), ...(mwebUrl ? { mwebUrl } : {}), ...(urlScheme ? { urlScheme } : {}), provider_pay_method: type },
    ...(codeUrl ? { codeUrl } : {}),
    raw: { trade_no: answer.trade_no },
  };
}

export async function queryVkspayPayment(request: OrderRef, merchant: VkspayMerchant, runtime: ProviderRuntime): Promise<PaymentStatus> {
  const query = new URLSearchParams({ act: "order", pid: merchant.mchId, key: merchant.key, out_trade_no: request.outTradeNo });
  const answer = await call(merchant, runtime, `${merchant.gatewayUrl}/api.php?${query}`);
  if (!isOk(answer)) {
    // An order it never saw (订单号不存在) is simply unpaid for us; a refused key or merchant is not.
    if (/不存在|not exist/i.test(String(answer.msg ?? "")))
      return { state: "NOTPAY", outTradeNo: request.outTradeNo, raw: { code: answer.code, msg: answer.msg } };
    throw rejected(answer, "查询订单");
  }
  if (answer.out_trade_no !== undefined && answer.out_trade_no !== request.outTradeNo)
    throw new SignatureError("vkspay-answer-invalid", "VksPay's query answer is about another order");
  const paid = answer.status === 1 || answer.status === "1";
  let totalFee: number | undefined;
  try {
    totalFee = typeof answer.money === "string" || typeof answer.money === "number" ? yuanToFen(String(answer.money)) : undefined;
  } catch {
    throw new SignatureError("vkspay-answer-invalid", "VksPay's query answer has an unreadable money");
  }
  return {
    state: paid ? "SUCCESS" : "NOTPAY",
    outTradeNo: request.outTradeNo,
    ...(typeof answer.trade_no === "string" ? { transactionId: answer.trade_no } : {}),
    ...(totalFee !== undefined ? { totalFee } : {}),
    ...(answer.pid !== undefined ? { mchId: String(answer.pid) } : {}),
    raw: { ...answer, key: undefined },
  };
}

/**
 * `api.php?act=refund` refunds at once (`code=1`) or refuses. The protocol has no refund number and no refund
 * query, so a refund is settled by its answer only; one whose answer was lost stays PROCESSING for the
 * merchant to check in VksPay's back office (sending it again could refund twice).
 */
export async function refundVkspayPayment(request: RefundRequest, merchant: VkspayMerchant, runtime: ProviderRuntime): Promise<RefundStatus> {
  const form = { act: "refund", pid: merchant.mchId, key: merchant.key, out_trade_no: request.outTradeNo, money: fenToYuan(request.refundFee) };
  const answer = await call(merchant, runtime, `${merchant.gatewayUrl}/api.php`, form);
  if (!isOk(answer)) throw rejected(answer, "退款");
  return {
    state: "SUCCESS",
    outTradeNo: request.outTradeNo,
    outRefundNo: request.outRefundNo,
    refundFee: request.refundFee,
    raw: { code: answer.code, msg: answer.msg },
  };
}
