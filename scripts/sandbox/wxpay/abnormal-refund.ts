/**
 * 发起异常退款: the merchant tells WeChat where to pay a refund it holds as ABNORMAL. The payer's card
 * number and name arrive RSA-OAEP (SHA-1) encrypted for the platform certificate or WeChat Pay public key
 * that `Wechatpay-Serial` names; WeChat decrypts them with the matching private key.
 * @see https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html
 * @see https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html
 */
import { constants, createPrivateKey, privateDecrypt, type KeyObject } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { WxpaySandboxKeys } from "../pki/wxpay-keys";
import type { PlatformCertificates } from "./platform";
import { type AbnormalRefundType, type SandboxRefund, WxpayApiError, paramError } from "./types";

const TYPES: readonly AbnormalRefundType[] = ["USER_BANK_CARD", "MERCHANT_BANK_CARD"];

/** The private key of the public key or certificate that `Wechatpay-Serial` names (transfers' user_name uses it too). */
export function decryptionKey(req: IncomingMessage, keys: WxpaySandboxKeys, platform: PlatformCertificates): KeyObject {
  const serial = req.headers["wechatpay-serial"];
  if (typeof serial !== "string" || serial === "") throw new WxpayApiError(400, "PARAM_ERROR", "请求参数含敏感信息，HTTP头Wechatpay-Serial不能为空");
  if (serial === keys.wxpayPublicKeyId) return createPrivateKey(keys.wxpayPublicKeyPrivatePem);
  const certificate = platform.listed().find((cert) => cert.serial.toUpperCase() === serial.toUpperCase());
  if (!certificate) throw new WxpayApiError(400, "PARAM_ERROR", "Wechatpay-Serial对应的证书或公钥不存在或已过期");
  return certificate.privateKey;
}

export function decrypt(field: string, value: unknown, key: KeyObject): string {
  if (typeof value !== "string" || value === "") throw paramError(`/${field}`, "若退款至用户此字段必填");
  try {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(value, "base64")).toString("utf8");
  } catch {
    throw new WxpayApiError(400, "PARAM_ERROR", `${field}解密失败，请使用Wechatpay-Serial对应的公钥加密`);
  }
}

/** Reads and decrypts the request body into what the sandbox keeps of it (the card's last four digits, not the number). */
export function readAbnormalRefundRequest(
  body: Record<string, unknown>,
  req: IncomingMessage,
  keys: WxpaySandboxKeys,
  platform: PlatformCertificates,
): { outRefundNo: string; apply: NonNullable<SandboxRefund["abnormal_apply"]> } {
  const outRefundNo = body.out_refund_no;
  if (typeof outRefundNo !== "string" || outRefundNo === "") throw paramError("/out_refund_no", "is required");
  const type = body.type as AbnormalRefundType;
  if (!TYPES.includes(type)) throw paramError("/type", "must be USER_BANK_CARD or MERCHANT_BANK_CARD", body.type);
  if (type === "MERCHANT_BANK_CARD") return { outRefundNo, apply: { type } };
  if (typeof body.bank_type !== "string" || !/^[A-Z0-9_]{1,16}$/.test(body.bank_type)) throw paramError("/bank_type", "若退款至用户此字段必填", body.bank_type);
  const key = decryptionKey(req, keys, platform);
  const account = decrypt("bank_account", body.bank_account, key);
  if (!/^\d{12,30}$/.test(account)) throw new WxpayApiError(400, "PARAM_ERROR", "收款银行卡号格式错误");
  const realName = decrypt("real_name", body.real_name, key);
  return { outRefundNo, apply: { type, bank_type: body.bank_type, bank_account_tail: account.slice(-4), real_name: realName } };
}
