import { ConfigError, failures, NetworkError, ValidationError } from "../../../core/errors";
import type { CreateRequest, CreateResult, PartnerRef } from "../../../kernel/contract";
import type { WxpayMerchant } from "../merchant";
import { toRfc3339Beijing } from "./normalize";
import { buildAppPayParams, buildJsapiPayParams, currentTimestamp } from "./protocol";

/**
 * What each vk-uni-pay mode sends to WeChat Pay v3 and what the client gets back (vk-pay.md §2.1, §2.3):
 * mp-weixin / h5-weixin → JSAPI, app-plus → APP, h5 → Native QR, mweb → H5.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_1.shtml (JSAPI)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_2_1.shtml (APP)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_3_1.shtml (H5)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_4_1.shtml (Native)
 */

type Product = "jsapi" | "app" | "native" | "h5";

const PRODUCTS: Readonly<Record<string, Product>> = {
  "mp-weixin": "jsapi",
  "h5-weixin": "jsapi",
  "app-plus": "app",
  h5: "native",
  mweb: "h5",
};

export const WXPAY_V3_MODES = Object.freeze(Object.keys(PRODUCTS));

/** The core decides these; letting `other` replace them would let a caller change what is paid, to whom. */
const FORBIDDEN_OTHER_KEYS = new Set(["amount", "out_trade_no", "mchid", "appid", "notify_url", "payer", "sp_mchid", "sp_appid", "sub_mchid", "sub_appid"]);
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Fields v2 sends as JSON strings and v3 as objects. */
const JSON_STRING_FIELDS = new Set(["detail", "scene_info", "settle_info"]);

export interface PrepayRequest {
  product: Product;
  path: string;
  body: Record<string, unknown>;
  /** The app and merchant the client pays in (the sub-merchant's, in service-provider mode). */
  payee: { appId: string; mchId: string };
}

/** A service provider's sub-merchant for one order (contract PartnerRef), checked for what WeChat accepts. */
export interface WxpaySubMerchant {
  subMchId: string;
  subAppId?: string;
}

const ID = /^[0-9A-Za-z_-]{1,32}$/;

/**
 * The order's sub-merchant, or undefined for a direct-merchant order. It comes from the developer's
 * `createPayment` data and goes into URLs, so its shape is checked here.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_1.shtml
 */
export function subMerchantOf(partner: PartnerRef | undefined): WxpaySubMerchant | undefined {
  if (!partner?.subMchId) return undefined;
  if (!ID.test(partner.subMchId)) throw invalid("sub-mchid-invalid", "sub_mchid 格式不正确");
  if (partner.subAppId !== undefined && !ID.test(partner.subAppId)) throw invalid("sub-appid-invalid", "sub_appid 格式不正确");
  return partner.subAppId ? { subMchId: partner.subMchId, subAppId: partner.subAppId } : { subMchId: partner.subMchId };
}

function invalid(reason: string, message: string): ValidationError {
  return new ValidationError(1000, `wxpay-${reason}`, message);
}

export function productOf(mode: string): Product {
  const product = PRODUCTS[mode];
  if (!product) throw new ValidationError(1020, "pay-mode-unsupported", `微信支付 API v3 不支持 ${mode} 模式`);
  return product;
}

function parseJsonField(key: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid("other-invalid", `other.${key} 不是合法的 JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("other-invalid", `other.${key} 必须是 JSON 对象`);
  return parsed;
}

/** v2's goods fields under their v3 names, where the caller did not already use the v3 name. */
function convertDetail(detail: unknown): unknown {
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) return detail;
  const out: Record<string, unknown> = { ...(detail as Record<string, unknown>) };
  if (out.receipt_id !== undefined && out.invoice_id === undefined) {
    out.invoice_id = out.receipt_id;
    delete out.receipt_id;
  }
  if (Array.isArray(out.goods_detail)) {
    const renames: Array<[string, string]> = [
      ["goods_id", "merchant_goods_id"],
      ["wxpay_goods_id", "wechatpay_goods_id"],
      ["price", "unit_price"],
    ];
    out.goods_detail = out.goods_detail.map((item: unknown) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
      const goods: Record<string, unknown> = { ...(item as Record<string, unknown>) };
      for (const [v2, v3] of renames) {
        if (goods[v2] !== undefined && goods[v3] === undefined) {
          goods[v3] = goods[v2];
          delete goods[v2];
        }
      }
      return goods;
    });
  }
  return out;
}

/** `time_expire` given in `other`: v2's `yyyyMMddHHmmss` (Beijing) or ms become RFC 3339. */
function convertTimeExpire(value: unknown): unknown {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return toRfc3339Beijing(value);
  if (typeof value === "string" && /^\d{14}$/.test(value)) {
    return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(8, 10)}:${value.slice(10, 12)}:${value.slice(12, 14)}+08:00`;
  }
  return value;
}

/**
 * The caller's `other`, converted to v3 types and checked, ready to merge over the request body.
 * (SPEC.md §4: `other` is merged; the seed's stringified `detail` is converted.)
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_1.shtml (detail, scene_info, settle_info)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (the v2 names being converted)
 */
export function convertOther(other: CreateRequest["other"]): Record<string, unknown> {
  if (other === undefined || other === null) return {};
  if (typeof other !== "object" || Array.isArray(other)) throw invalid("other-invalid", "other 必须是对象");
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(other)) {
    if (UNSAFE_KEYS.has(key)) throw invalid("other-invalid", `other 不能包含 ${key}`);
    if (FORBIDDEN_OTHER_KEYS.has(key)) throw invalid("other-forbidden", `other.${key} 由 vk-uni-pay 决定，不能在 other 中指定`);
    if (value === undefined) continue;
    let converted = JSON_STRING_FIELDS.has(key) ? parseJsonField(key, value) : value;
    if (key === "detail") converted = convertDetail(converted);
    if (key === "time_expire") converted = convertTimeExpire(converted);
    out[key] = converted;
  }
  return out;
}

/**
 * The prepay call for a mode: path and body. `other` goes last, so a caller can add or adjust optional
 * fields (attach, goods_tag, detail, scene_info, settle_info…) but not the ones the core owns.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_1.shtml
 */
export function buildPrepayRequest(request: CreateRequest, merchant: WxpayMerchant): PrepayRequest {
  const product = productOf(request.mode);
  if (!merchant.appId) throw new ConfigError("wxpay-config-invalid", `微信支付 ${request.mode} 配置缺少 appId`);
  const sub = subMerchantOf(request.partner);
  // Service-provider mode: the config's merchant is the provider (sp_*), the order's sub-merchant is paid.
  const parties: Record<string, unknown> = sub
    ? { sp_appid: merchant.appId, sp_mchid: merchant.mchId, ...(sub.subAppId ? { sub_appid: sub.subAppId } : {}), sub_mchid: sub.subMchId }
    : { appid: merchant.appId, mchid: merchant.mchId };
  const body: Record<string, unknown> = {
    ...parties,
    description: request.subject,
    out_trade_no: request.outTradeNo,
    notify_url: request.notifyUrl,
    amount: { total: request.totalFee, currency: "CNY" },
  };
  if (request.timeExpire !== undefined) body.time_expire = toRfc3339Beijing(request.timeExpire);
  if (product === "jsapi") {
    if (typeof request.openid !== "string" || request.openid === "") throw failures.openidMissing();
    // A partner order's openid is the user's in the sub-merchant's app when one is named, else in the provider's.
    body.payer = sub ? { [sub.subAppId ? "sub_openid" : "sp_openid"]: request.openid } : { openid: request.openid };
  }
  const extra = convertOther(request.other);
  if (product === "h5") {
    const given = typeof extra.scene_info === "object" && extra.scene_info !== null ? (extra.scene_info as Record<string, unknown>) : {};
    extra.scene_info = {
      payer_client_ip: request.clientIp,
      ...given,
      h5_info: given.h5_info ?? merchant.h5Info ?? { type: "Wap" },
    };
  }
  return {
    product,
    path: sub ? `/v3/pay/partner/transactions/${product}` : `/v3/pay/transactions/${product}`,
    body: { ...body, ...extra },
    payee: { appId: sub?.subAppId ?? merchant.appId, mchId: sub?.subMchId ?? merchant.mchId },
  };
}

function field(body: Record<string, unknown> | undefined, name: string): string {
  const value = body?.[name];
  // A verified answer without its one field: WeChat misbehaved, and retrying the prepay is safe.
  if (typeof value !== "string" || value === "") throw new NetworkError(`微信支付下单应答缺少 ${name}，请稍后再试`);
  return value;
}

/**
 * The client's start-paying object from the prepay answer (vk-pay.md §2.3): signed JSAPI / APP params,
 * `{ codeUrl }` for Native QR, `{ h5Url }` for H5. `payee` is the app and merchant the client pays in: the
 * config's, or in service-provider mode the sub-merchant's (still signed with the provider's key).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_4.shtml (JSAPI params)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_2_4.shtml (APP params)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_4.shtml (partner JSAPI params)
 */
export function buildCreateResult(
  product: Product,
  answer: Record<string, unknown> | undefined,
  merchant: WxpayMerchant,
  nowMs: number,
  payee: { appId: string; mchId: string } = { appId: merchant.appId!, mchId: merchant.mchId },
): CreateResult {
  const timestamp = currentTimestamp(nowMs);
  switch (product) {
    case "jsapi":
      return {
        orderInfo: buildJsapiPayParams({ appId: payee.appId, prepayId: field(answer, "prepay_id"), privateKey: merchant.privateKey, timeStamp: timestamp }),
        raw: answer,
      };
    case "app":
      return {
        orderInfo: buildAppPayParams({
          appid: payee.appId,
          mchid: payee.mchId,
          prepayId: field(answer, "prepay_id"),
          privateKey: merchant.privateKey,
          timestamp,
        }),
        raw: answer,
      };
    case "native": {
      const codeUrl = field(answer, "code_url");
      return { orderInfo: { codeUrl }, codeUrl, raw: answer };
    }
    case "h5":
      return { orderInfo: { h5Url: field(answer, "h5_url") }, raw: answer };
    default:
      return assertNever(product);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled WeChat Pay product ${String(value)}`);
}
