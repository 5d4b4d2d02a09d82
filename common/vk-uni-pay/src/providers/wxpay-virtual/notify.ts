import { checkedTextSha256, ConfigError, SignatureError, withEvidence, type SignatureEvidence } from "../../core/errors";
import { textReply, type IntegrationResponse } from "../../http-reply";
import type { AckContext, MerchantConfig, NormalizedEvent, ProviderRuntime, RawNotification } from "../../kernel/contract";
import { readXpayMerchant, type XpayMerchant } from "./merchant";
import { queryXpayPayment, queryXpayRefund } from "./orders";
import { decryptMessage, MessagePushError, messageSignature, messageSignedParts, sameMessageSignature } from "./protocol/message-crypto";
import { encryptOf, parsePushMessage, pushFormatOf, pushReplyBody } from "./protocol/push-message";

/** The verified GET check: the reply echoes `echostr` (acknowledge reads it from the query). */
export const ECHOSTR_EVENT = "echostr";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : typeof value === "number" ? String(value) : undefined;
}

function integer(value: unknown): number | undefined {
  const parsed = typeof value === "number" ? value : typeof value === "string" && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

function object(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function isSafeMode(notification: RawNotification): boolean {
  return notification.query?.encrypt_type === "aes";
}

function refused(error: MessagePushError): SignatureError {
  return new SignatureError(`wxpay-virtual-${error.reason}`, error.message);
}

/**
 * What a refused push names: its `timestamp` (seconds) and the hash of the signed strings without the
 * token. Message push names no key (one token per app) and no algorithm beyond the fixed SHA-1.
 */
function pushEvidence(timestamp: string, nonce: string, encrypt?: string): SignatureEvidence {
  return {
    ...(/^[0-9]{1,12}$/.test(timestamp) ? { signedAt: Number(timestamp) * 1000 } : {}),
    checkedTextSha256: checkedTextSha256(messageSignedParts(timestamp, nonce, encrypt)),
  };
}

/**
 * Verifies a message push and reads the message it carries. The GET check and plain-mode pushes carry
 * `signature` (token, timestamp, nonce: it does not cover the body); safe mode carries `msg_signature`,
 * which covers the ciphertext, and the ciphertext names our app id.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
function verifiedMessage(notification: RawNotification, merchant: XpayMerchant): { message?: Record<string, unknown>; echostr?: string } {
  if (!merchant.token) throw new ConfigError("wxpay-virtual-token-missing", "请在 wxpay-virtual 配置中填写消息推送的 token");
  const query = notification.query ?? {};
  const timestamp = query.timestamp ?? "";
  const nonce = query.nonce ?? "";
  const body = notification.body.toString("utf8");
  if (notification.method.toUpperCase() === "GET") {
    if (!sameMessageSignature(messageSignature(merchant.token, timestamp, nonce), query.signature)) {
      throw withEvidence(
        new SignatureError("wxpay-virtual-signature-invalid", "the GET check's signature does not match the token"),
        pushEvidence(timestamp, nonce),
      );
    }
    return { echostr: query.echostr ?? "" };
  }
  const format = pushFormatOf(body, merchant.messageFormat);
  try {
    if (isSafeMode(notification)) {
      if (!merchant.encodingAESKey) throw new ConfigError("wxpay-virtual-aes-key-missing", "安全模式的消息推送需要配置 encodingAESKey");
      const encrypt = encryptOf(body, format);
      // The page: verify safe-mode pushes with msg_signature, not signature.
      if (!sameMessageSignature(messageSignature(merchant.token, timestamp, nonce, encrypt), query.msg_signature)) {
        throw withEvidence(
          new SignatureError("wxpay-virtual-msg-signature-invalid", "msg_signature does not match the token and the ciphertext"),
          pushEvidence(timestamp, nonce, encrypt),
        );
      }
      const plain = decryptMessage(merchant.encodingAESKey, encrypt, merchant.appId);
      return { message: parsePushMessage(plain, pushFormatOf(plain, format)) };
    }
    // A merchant that set an EncodingAESKey chose safe mode: a plain push then is not WeChat's.
    if (merchant.encodingAESKey) throw new SignatureError("wxpay-virtual-plain-refused", "a plain push for a merchant configured for safe mode");
    if (!sameMessageSignature(messageSignature(merchant.token, timestamp, nonce), query.signature)) {
      throw withEvidence(
        new SignatureError("wxpay-virtual-signature-invalid", "the push's signature does not match the token"),
        pushEvidence(timestamp, nonce),
      );
    }
    return { message: parsePushMessage(body, format) };
  } catch (error) {
    throw error instanceof MessagePushError ? refused(error) : error;
  }
}

/**
 * What a verified push says, as the core's event. Payments are bound by what the order stored (product,
 * quantity, env) and by the amount the config gives for them; ActualPrice (after WeChat's coupons) is
 * kept in `raw`. Refund pushes carry no OutTradeNo: MchOrderId is ours, MchRefundId our refund's number.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html (消息推送)
 */
function eventOf(message: Record<string, unknown>, merchant: XpayMerchant): NormalizedEvent {
  const eventType = text(message.Event) ?? text(message.MsgType) ?? "unknown";
  switch (eventType) {
    case "xpay_goods_deliver_notify":
    case "xpay_coin_pay_notify": {
      const outTradeNo = text(message.OutTradeNo);
      if (!outTradeNo) throw new SignatureError("wxpay-virtual-push-malformed", `${eventType} without OutTradeNo`);
      const pay = object(message.WeChatPayInfo);
      const goods = eventType === "xpay_goods_deliver_notify";
      const info = object(goods ? message.GoodsInfo : message.CoinInfo);
      const quantity = integer(info.Quantity);
      const productId = text(info.ProductId);
      const unitPrice = goods && productId ? merchant.goods.get(productId)?.price : undefined;
      const totalFee =
        quantity === undefined ? undefined : goods ? (unitPrice === undefined ? undefined : unitPrice * quantity) : (quantity * 100) / merchant.rate;
      const paidTime = integer(pay.PaidTime);
      return {
        kind: "payment",
        state: "SUCCESS",
        outTradeNo,
        ...(text(pay.TransactionId) ? { transactionId: text(pay.TransactionId) } : {}),
        ...(totalFee !== undefined && Number.isSafeInteger(totalFee) ? { totalFee } : {}),
        ...(paidTime ? { paidAt: paidTime * 1000 } : {}),
        orderFields: {
          mode: goods ? "short_series_goods" : "short_series_coin",
          buy_quantity: quantity,
          env: integer(message.Env),
          ...(goods ? { product_id: productId } : {}),
        },
        raw: message,
      };
    }
    case "xpay_refund_notify": {
      const outTradeNo = text(message.MchOrderId);
      const outRefundNo = text(message.MchRefundId);
      const refundFee = integer(message.RefundFee);
      if (!outTradeNo || !outRefundNo || refundFee === undefined)
        throw new SignatureError("wxpay-virtual-push-malformed", "xpay_refund_notify without its order, refund or amount");
      const success = integer(message.RetCode) === 0;
      const settled = integer(message.RefundSuccTimestamp);
      return {
        kind: "refund",
        state: success ? "SUCCESS" : "CLOSED",
        outTradeNo,
        outRefundNo,
        ...(text(message.WxRefundId) ? { refundId: text(message.WxRefundId) } : {}),
        refundFee,
        ...(success && settled ? { settledAt: settled * 1000 } : {}),
        raw: message,
      };
    }
    default:
      // xpay_complaint_notify and anything new: verified, acknowledged and logged for the admin (the log keeps the message).
      return {
        kind: "ignored",
        eventType,
        ...((text(message.MchOrderId) ?? text(message.OutTradeNo)) ? { outTradeNo: text(message.MchOrderId) ?? text(message.OutTradeNo) } : {}),
      };
  }
}

/**
 * A plain push's signature does not cover its body, so a replayed signature could carry any message: a
 * plain-mode payment or refund is believed only once query_order confirms it.
 */
async function confirmedPlain(event: NormalizedEvent, message: Record<string, unknown>, config: MerchantConfig, runtime: ProviderRuntime): Promise<void> {
  const openid = text(message.OpenId) ?? text(message.FromUserName);
  if (event.kind === "payment") {
    const status = await queryXpayPayment({ mode: "mp-weixin", config, outTradeNo: event.outTradeNo, ...(openid ? { openid } : {}) }, runtime);
    if (status.state !== "SUCCESS" && status.state !== "REFUND")
      throw new SignatureError("wxpay-virtual-plain-unconfirmed", `query_order says ${status.state}`);
  } else if (event.kind === "refund") {
    const status = await queryXpayRefund(
      { mode: "mp-weixin", config, outTradeNo: event.outTradeNo, outRefundNo: event.outRefundNo, ...(openid ? { openid } : {}) },
      runtime,
    );
    if (status.state !== event.state || status.refundFee !== event.refundFee)
      throw new SignatureError("wxpay-virtual-plain-unconfirmed", `query_order says ${status.state}`);
  }
}

export async function verifyXpayNotify(notification: RawNotification, config: MerchantConfig, runtime: ProviderRuntime): Promise<NormalizedEvent> {
  const merchant = readXpayMerchant(config);
  const { message } = verifiedMessage(notification, merchant);
  if (!message) return { kind: "ignored", eventType: ECHOSTR_EVENT };
  const event = eventOf(message, merchant);
  if (!isSafeMode(notification)) await confirmedPlain(event, message, config, runtime);
  return event;
}

/**
 * The reply: the GET check echoes `echostr` verbatim; a safe-mode push is answered `success` (the page says
 * any other safe-mode reply must be encrypted, and `success` counts as ErrCode 0); a plain push gets
 * `{"ErrCode":0,"ErrMsg":"success"}` in its own format. A refusal is a non-zero ErrCode, which WeChat pushes again.
 */
export function acknowledgeXpayNotify(accepted: boolean, context?: AckContext): IntegrationResponse {
  const notification = context?.notification;
  if (notification?.method.toUpperCase() === "GET") {
    return accepted ? textReply(200, notification.query?.echostr ?? "") : textReply(403, "forbidden");
  }
  let fallback: "json" | "xml" = "json";
  try {
    if (context?.config) fallback = readXpayMerchant(context.config).messageFormat;
  } catch {
    // An unreadable config is reported where it is used; the reply falls back to JSON.
  }
  if (accepted && notification && isSafeMode(notification)) return textReply(200, "success");
  const format = pushFormatOf(notification?.body, fallback);
  const body = pushReplyBody(accepted, format);
  const status = context?.ourFault ? 500 : 200;
  return textReply(status, body, format === "xml" ? "application/xml; charset=utf-8" : "application/json; charset=utf-8");
}
