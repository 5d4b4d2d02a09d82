import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { WxpaySandboxKeys } from "../pki/wxpay-keys";
import type { PlatformCertificates } from "./platform";
import { AUTH_SCHEME, parseAuthorization, randomNonce, requestMessage, responseMessage, signSha256Rsa, verifySha256Rsa } from "./sign";
import type { WxpaySandboxState } from "./state";
import { WxpayApiError } from "./types";

/** A merchant as WeChat knows it: the appids bound to it and its API certificate. */
export interface SandboxMerchant {
  mchid: string;
  appids: string[];
  certSerial: string;
  publicKey: KeyObject;
  apiV3Key: string;
  /** The API v2 key: MD5 / HMAC-SHA256 signatures and `req_info`. */
  key: string;
  /** Service providers only: sub-merchant mchid → the appids bound to it (sub_appid). */
  subMerchants?: Map<string, string[]>;
}

const WINDOW_SECONDS = 300;

function signError(issue: string, field: string, signInformation?: Record<string, unknown>): WxpayApiError {
  return new WxpayApiError(401, "SIGN_ERROR", "签名错误", {
    field,
    location: "authorization",
    issue,
    ...(signInformation ? { sign_information: signInformation } : {}),
  });
}

/**
 * Checks a merchant request as WeChat does and returns the merchant. `canonicalUrl` is the official path
 * and raw query: a `/__sandbox/wxpay` prefix in the signed text does not verify, as it would not at WeChat.
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012365336
 */
export function verifyMerchantRequest(
  input: { method: string; canonicalUrl: string; body: string; authorization: string | undefined },
  merchants: Map<string, SandboxMerchant>,
  nowMs: number,
): SandboxMerchant {
  const auth = parseAuthorization(input.authorization);
  if ("error" in auth) throw signError(auth.error, "authorization");
  const merchant = merchants.get(auth.mchid);
  if (!merchant) throw signError(`mchid ${auth.mchid} does not exist`, "mchid");
  if (auth.serial_no.toUpperCase() !== merchant.certSerial) throw signError("serial_no is not a valid certificate serial of this merchant", "serial_no");
  if (!/^\d{1,12}$/.test(auth.timestamp)) throw signError("timestamp must be seconds since the epoch", "timestamp");
  if (Math.abs(Number(auth.timestamp) - Math.floor(nowMs / 1000)) > WINDOW_SECONDS)
    throw signError("timestamp is more than 5 minutes away from the server time", "timestamp");
  const message = requestMessage(input.method, input.canonicalUrl, auth.timestamp, auth.nonce_str, input.body);
  if (!verifySha256Rsa(message, auth.signature, merchant.publicKey)) {
    // WeChat echoes what it expected to have been signed, which makes a wrong path or body easy to spot.
    const lines = message.split("\n");
    throw signError("sign not match", "signature", {
      method: input.method,
      url: input.canonicalUrl,
      sign_message_length: Buffer.byteLength(message),
      truncated_sign_message: `${lines.slice(0, 4).join("\n")}\n${lines.slice(4).join("\n").slice(0, 32)}`,
    });
  }
  return merchant;
}

export function merchantsFromKeys(keys: WxpaySandboxKeys): Map<string, SandboxMerchant> {
  const { partner } = keys;
  return new Map([
    [
      keys.mchId,
      {
        mchid: keys.mchId,
        appids: [keys.appId],
        certSerial: keys.merchantSerial,
        publicKey: createPublicKey(keys.merchantCertPem),
        apiV3Key: keys.v3Key,
        key: keys.key,
      },
    ],
    [
      partner.mchId,
      {
        mchid: partner.mchId,
        appids: [partner.appId],
        certSerial: partner.merchantSerial,
        publicKey: createPublicKey(partner.merchantCertPem),
        apiV3Key: partner.v3Key,
        key: partner.key,
        subMerchants: new Map(partner.subMerchants.map((sub) => [sub.mchId, [sub.appId]])),
      },
    ],
  ]);
}

export type ResponseSigner = (mchid: string | undefined, body: string) => Record<string, string>;

/**
 * Signs `TIMESTAMP\nNONCE\nBODY\n` with the platform certificate's key, or with the WeChat Pay public
 * key's when the merchant is in public-key mode; `Wechatpay-Serial` says which.
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function createResponseSigner(keys: WxpaySandboxKeys, state: WxpaySandboxState, platform: PlatformCertificates): ResponseSigner {
  const publicKeyModeKey = createPrivateKey(keys.wxpayPublicKeyPrivatePem);
  return (mchid, body) => {
    const publicKeyMode = mchid !== undefined && state.signMode(mchid) === "public_key";
    const timestamp = String(Math.floor(state.now() / 1000));
    const nonce = randomNonce(32);
    // Read at each signature: after a rotation the very next response carries the new serial.
    const signer = platform.current();
    return {
      "Wechatpay-Timestamp": timestamp,
      "Wechatpay-Nonce": nonce,
      "Wechatpay-Signature": signSha256Rsa(responseMessage(timestamp, nonce, body), publicKeyMode ? publicKeyModeKey : signer.privateKey),
      "Wechatpay-Serial": publicKeyMode ? keys.wxpayPublicKeyId : signer.serial,
      "Wechatpay-Signature-Type": AUTH_SCHEME,
    };
  };
}
