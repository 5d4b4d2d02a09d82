import { formatTimeEnd } from "../../../core/beijing-time";
import { failures, NetworkError, ValidationError } from "../../../core/errors";
import type { CreateRequest, CreateResult } from "../../../kernel/contract";
import { buildV2AppPayParams, buildV2JsapiPayParams, v2Timestamp, type V2Fields } from "./protocol";
import type { WxpayV2Merchant } from "./merchant";

/**
 * What each vk-uni-pay mode sends to WeChat Pay v2's unifiedorder and what the client gets back
 * (vk-pay.md §2.1, §2.3): mp-weixin / h5-weixin → JSAPI, app-plus → APP, h5 → NATIVE (`code_url`),
 * mweb → MWEB (`mweb_url`). Pay-code payments use micropay instead (v2/codepay.ts).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (统一下单)
 * @see https://pay.weixin.qq.com/wiki/doc/api/native.php?chapter=9_1 (NATIVE: product_id)
 * @see https://pay.weixin.qq.com/wiki/doc/api/H5.php?chapter=9_20&index=1 (MWEB: scene_info)
 */

type TradeType = "JSAPI" | "APP" | "NATIVE" | "MWEB";

const TRADE_TYPES: Readonly<Record<string, TradeType>> = {
  "mp-weixin": "JSAPI",
  "h5-weixin": "JSAPI",
  "app-plus": "APP",
  h5: "NATIVE",
  mweb: "MWEB",
};

/** The core decides these; letting `other` replace them would let a caller change what is paid, to whom. */
const FORBIDDEN_OTHER_KEYS = new Set([
  "appid",
  "mch_id",
  "sub_appid",
  "sub_mch_id",
  "nonce_str",
  "sign",
  "sign_type",
  "out_trade_no",
  "total_fee",
  "notify_url",
  "trade_type",
  "openid",
  "sub_openid",
  "auth_code",
  "amount",
  "payer",
]);
const OTHER_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

function invalid(message: string): ValidationError {
  return new ValidationError(1000, "wxpay-other-invalid", message);
}

export function tradeTypeOf(mode: string): TradeType {
  const tradeType = TRADE_TYPES[mode];
  if (!tradeType) throw new ValidationError(1020, "pay-mode-unsupported", `微信支付 API v2 不支持 ${mode} 模式`);
  return tradeType;
}

/**
 * The caller's `other` as v2 strings: objects (`detail`, `scene_info`) become the JSON strings v2 takes,
 * numbers their decimal text, a ms `time_expire` Beijing `yyyyMMddHHmmss`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (detail, scene_info, attach, goods_tag…)
 */
export function convertV2Other(other: CreateRequest["other"]): Record<string, string> {
  if (other === undefined || other === null) return {};
  if (typeof other !== "object" || Array.isArray(other)) throw invalid("other 必须是对象");
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(other)) {
    if (!OTHER_KEY.test(key)) throw invalid(`other 不能包含 ${key.slice(0, 32)}`);
    if (FORBIDDEN_OTHER_KEYS.has(key)) throw new ValidationError(1000, "wxpay-other-forbidden", `other.${key} 由 vk-uni-pay 决定，不能在 other 中指定`);
    if (value === undefined || value === null) continue;
    if (key === "time_expire" && typeof value === "number" && Number.isSafeInteger(value) && value > 0) out[key] = formatTimeEnd(value);
    else if (typeof value === "string") out[key] = value;
    else if (typeof value === "number" && Number.isFinite(value)) out[key] = String(value);
    else if (typeof value === "boolean") out[key] = String(value);
    else if (typeof value === "object") out[key] = JSON.stringify(value);
    else throw invalid(`other.${key} 的类型无法发送`);
  }
  return out;
}

/**
 * unifiedorder's parameters for a mode. `other` goes last, so a caller can add optional fields but not
 * the ones the core owns. With a service-provider `subAppId`, the openid is the user's in that app
 * (`sub_openid`), as the client pays inside it.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi_sl.php?chapter=9_1 (sub_openid)
 */
export function buildUnifiedOrder(request: CreateRequest, merchant: WxpayV2Merchant): { tradeType: TradeType; params: Record<string, string> } {
  const tradeType = tradeTypeOf(request.mode);
  const params: Record<string, string> = {
    body: request.subject,
    out_trade_no: request.outTradeNo,
    total_fee: String(request.totalFee),
    spbill_create_ip: request.clientIp,
    notify_url: request.notifyUrl,
    trade_type: tradeType,
  };
  if (request.timeExpire !== undefined) params.time_expire = formatTimeEnd(request.timeExpire);
  if (tradeType === "JSAPI") {
    if (typeof request.openid !== "string" || request.openid === "") throw failures.openidMissing();
    params[merchant.subAppId ? "sub_openid" : "openid"] = request.openid;
  }
  const extra = convertV2Other(request.other);
  // NATIVE requires a product id; one QR code per order is what vk-uni-pay shows.
  if (tradeType === "NATIVE" && !extra.product_id) params.product_id = request.outTradeNo;
  if (tradeType === "MWEB" && !extra.scene_info) params.scene_info = JSON.stringify({ h5_info: merchant.h5Info ?? { type: "Wap" } });
  return { tradeType, params: { ...params, ...extra } };
}

function field(fields: V2Fields, name: string): string {
  const value = fields[name];
  // A verified answer without its one field: WeChat misbehaved, and retrying the prepay is safe.
  if (typeof value !== "string" || value === "") throw new NetworkError(`微信支付下单应答缺少 ${name}，请稍后再试`);
  return value;
}

/**
 * The client's start-paying object from a verified unifiedorder answer (vk-pay.md §2.3): signed JSAPI or
 * APP params, `{ codeUrl }` for NATIVE, `{ mwebUrl }` for MWEB (with `h5Url`, v3's name, for clients
 * written against either version).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=7_7&index=6 (JSAPI params)
 * @see https://pay.weixin.qq.com/wiki/doc/api/app/app.php?chapter=9_12&index=2 (APP params)
 */
export function buildV2CreateResult(tradeType: TradeType, fields: V2Fields, merchant: WxpayV2Merchant, nowMs: number): CreateResult {
  const appId = merchant.subAppId ?? merchant.appId!;
  switch (tradeType) {
    case "JSAPI":
      return {
        orderInfo: buildV2JsapiPayParams({
          appId,
          prepayId: field(fields, "prepay_id"),
          key: merchant.key,
          signType: merchant.signType,
          timeStamp: v2Timestamp(nowMs),
        }),
        raw: fields,
      };
    case "APP":
      return {
        orderInfo: buildV2AppPayParams({
          appId,
          mchId: merchant.subMchId ?? merchant.mchId,
          prepayId: field(fields, "prepay_id"),
          key: merchant.key,
          timestamp: v2Timestamp(nowMs),
          signType: merchant.signType,
        }),
        raw: fields,
      };
    case "NATIVE": {
      const codeUrl = field(fields, "code_url");
      return { orderInfo: { codeUrl }, codeUrl, raw: fields };
    }
    case "MWEB": {
      const mwebUrl = field(fields, "mweb_url");
      return { orderInfo: { mwebUrl, h5Url: mwebUrl }, raw: fields };
    }
    default:
      return assertNever(tradeType);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled WeChat Pay v2 trade type ${String(value)}`);
}
