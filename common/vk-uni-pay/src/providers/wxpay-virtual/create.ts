import { ValidationError } from "../../core/errors";
import type { CreateRequest, CreateResult, ProviderRuntime } from "../../kernel/contract";
import { readXpayMerchant } from "./merchant";
import { readOrderFields } from "./price";
import { requestVirtualPaymentPaySig, xpayUserSignature } from "./protocol/sign";
import { sessionKeyOf } from "./stores";

/** `outTradeNo` of signData: 8-32 characters of [0-9A-Za-z_-|*@], not starting with `_`. */
const XPAY_OUT_TRADE_NO = /^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/;

export function checkXpayOutTradeNo(outTradeNo: string): void {
  if (!XPAY_OUT_TRADE_NO.test(outTradeNo)) {
    throw new ValidationError(1001, "wxpay-virtual-out-trade-no-invalid", "虚拟支付的订单号须为8-32位字母、数字或 _-|*@，且不能以_开头");
  }
}

/**
 * What `wx.requestVirtualPayment` needs: `signData` as the exact JSON string that `paySig` (the AppKey of
 * its env) and `signature` (the user's session key) sign, in the official field order and with no
 * `platform` (that field belongs to the mini-game API). The session key stays here; only signatures leave.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestVirtualPayment.html
 */
export async function createXpayPayment(request: CreateRequest, runtime: ProviderRuntime): Promise<CreateResult> {
  const merchant = readXpayMerchant(request.config);
  const fields = readOrderFields(request.orderFields);
  if (!fields) throw new ValidationError(-1, "wxpay-virtual-item-missing", "请传入 wxpay_virtual 参数（mode、buy_quantity 等）");
  if (!request.openid) throw new ValidationError(1006, "openid-missing", "用户openid不能为空");
  checkXpayOutTradeNo(request.outTradeNo);
  const signData = JSON.stringify({
    offerId: merchant.offerId,
    buyQuantity: fields.buy_quantity,
    env: merchant.env,
    currencyType: "CNY",
    ...(fields.mode === "short_series_goods" ? { productId: fields.product_id, goodsPrice: fields.goods_price } : {}),
    outTradeNo: request.outTradeNo,
    attach: request.outTradeNo,
  });
  const sessionKey = await sessionKeyOf(merchant.appId, request.openid, runtime);
  const orderInfo = {
    mode: fields.mode,
    signData,
    paySig: requestVirtualPaymentPaySig(merchant.appKey, signData),
    signature: xpayUserSignature(sessionKey, signData),
  };
  return { orderInfo, raw: { signData } };
}
