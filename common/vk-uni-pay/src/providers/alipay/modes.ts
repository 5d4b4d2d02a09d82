import { ValidationError } from "../../core/errors";
import type { CreateRequest } from "../../kernel/contract";
import type { AlipayCall } from "./client";
import type { AlipayMerchant } from "./merchant";
import { formatAlipayAmount, formatAlipayTimestamp } from "./protocol";

/**
 * What each vk-uni-pay Alipay mode asks of the gateway (vk-pay.md §2.1, §2.3): mp-alipay → trade.create,
 * app-plus → trade.app.pay (a signed order string, no HTTP call), h5 → trade.precreate (当面付 QR, also for
 * PC and for `alipayAppPayToH5Pay`), codepay → trade.pay with the buyer's pay-code.
 *
 * @see https://docs.open.alipay.com/api_1/alipay.trade.create (JSAPI_PAY, buyer_id / buyer_open_id)
 * @see https://docs.open.alipay.com/api_1/alipay.trade.app.pay
 * @see https://docs.open.alipay.com/api_1/alipay.trade.precreate
 * @see https://docs.open.alipay.com/api_1/alipay.trade.pay
 */

type Product = "create" | "app" | "precreate" | "pay";

const PRODUCTS: Readonly<Record<string, Product>> = {
  "mp-alipay": "create",
  "app-plus": "app",
  h5: "precreate",
  codepay: "pay",
};

export const ALIPAY_MODES = Object.freeze(Object.keys(PRODUCTS));

const METHODS: Readonly<Record<Product, string>> = {
  create: "alipay.trade.create",
  app: "alipay.trade.app.pay",
  precreate: "alipay.trade.precreate",
  pay: "alipay.trade.pay",
};

/** Product codes Alipay assumes when none is given; trade.create's default is left to Alipay (JSAPI_PAY comes from `other`). */
const DEFAULT_PRODUCT_CODES: Readonly<Partial<Record<Product, string>>> = {
  app: "QUICK_MSECURITY_PAY",
  precreate: "FACE_TO_FACE_PAYMENT",
  pay: "FACE_TO_FACE_PAYMENT",
};

/**
 * The core decides these; letting `other` (which a client may send through pay/createPayment) replace them
 * would change what is paid, by whom or to whom.
 */
const FORBIDDEN_OTHER_KEYS = new Set(["out_trade_no", "total_amount", "seller_id", "buyer_id", "buyer_open_id", "auth_code"]);
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Documented as String fields holding JSON (`promo_params`: `{"storeIdType":"1"}`); an object is sent as its JSON text. */
const JSON_STRING_FIELDS = new Set(["promo_params", "business_params"]);
/** Documented as objects or arrays; a JSON string (the way the seed writes WeChat's `detail`) is parsed. */
const JSON_OBJECT_FIELDS = new Set(["goods_detail", "extend_params", "settle_info", "ext_user_info", "agreement_sign_params"]);
/** `app_auth_token` is a public parameter, not a business one: lifted out of `other`. */
const APP_AUTH_TOKEN = "app_auth_token";

export interface AlipayTradeRequest {
  product: Product;
  call: AlipayCall;
}

function invalid(reason: string, message: string): ValidationError {
  return new ValidationError(1000, `alipay-${reason}`, message);
}

export function productOf(mode: string): Product {
  const product = PRODUCTS[mode];
  if (!product) throw new ValidationError(1020, "pay-mode-unsupported", `支付宝不支持 ${mode} 模式`);
  return product;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function convertValue(key: string, value: unknown): unknown {
  if (JSON_STRING_FIELDS.has(key) && typeof value === "object" && value !== null) return JSON.stringify(value);
  if (JSON_OBJECT_FIELDS.has(key) && typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      throw invalid("other-invalid", `other.${key} 不是合法的 JSON`);
    }
  }
  // `time_expire` given as a 13-digit ms timestamp, as vk-uni-pay's own `time_expire` is.
  if (key === "time_expire" && typeof value === "number" && Number.isSafeInteger(value) && value > 0) return formatAlipayTimestamp(value);
  return value;
}

/**
 * The caller's `other`, checked and converted, split into business parameters (merged over biz_content) and
 * the service-provider token. The seed's `promo_params: {}` means "no promotion": empty objects are left out
 * rather than sent as `"{}"`.
 *
 * @see https://docs.open.alipay.com/api_1/alipay.trade.app.pay (promo_params, business_params)
 */
export function convertOther(other: CreateRequest["other"]): { biz: Record<string, unknown>; appAuthToken?: string } {
  if (other === undefined || other === null) return { biz: {} };
  if (typeof other !== "object" || Array.isArray(other)) throw invalid("other-invalid", "other 必须是对象");
  const biz: Record<string, unknown> = {};
  let appAuthToken: string | undefined;
  for (const [key, value] of Object.entries(other)) {
    if (UNSAFE_KEYS.has(key)) throw invalid("other-invalid", `other 不能包含 ${key}`);
    if (FORBIDDEN_OTHER_KEYS.has(key)) throw invalid("other-forbidden", `other.${key} 由 vk-uni-pay 决定，不能在 other 中指定`);
    if (value === undefined || value === null || isEmptyObject(value)) continue;
    if (key === APP_AUTH_TOKEN) {
      if (typeof value !== "string") throw invalid("other-invalid", "other.app_auth_token 必须是字符串");
      appAuthToken = value;
      continue;
    }
    biz[key] = convertValue(key, value);
  }
  return { biz, ...(appAuthToken ? { appAuthToken } : {}) };
}

/** An Alipay user id (`2088` + 12 digits) goes in buyer_id; anything else is an OpenID (buyer_open_id). */
function buyerFields(openid: string | undefined, extra: Record<string, unknown>): Record<string, string> {
  // Service-provider mini programs identify the buyer by op_buyer_open_id in `other` instead (vk-pay.md §3.6).
  if (extra.op_buyer_open_id !== undefined) return {};
  if (typeof openid !== "string" || openid === "") return {};
  return /^2088\d{12}$/.test(openid) ? { buyer_id: openid } : { buyer_open_id: openid };
}

/**
 * The gateway call for a mode: method, biz_content and public parameters. `other` goes last, so a caller can
 * add or adjust optional fields (product_code, timeout_express, goods_type, promo_params, extend_params…) but
 * not the ones the core owns.
 *
 * @see https://docs.open.alipay.com/api_1/alipay.trade.precreate
 */
export function buildTradeRequest(request: CreateRequest, merchant: AlipayMerchant): AlipayTradeRequest {
  const product = productOf(request.mode);
  const { biz: extra, appAuthToken } = convertOther(request.other);
  const biz: Record<string, unknown> = {
    out_trade_no: request.outTradeNo,
    total_amount: formatAlipayAmount(request.totalFee),
    subject: request.subject,
  };
  if (request.body) biz.body = request.body;
  if (request.timeExpire !== undefined) biz.time_expire = formatAlipayTimestamp(request.timeExpire);
  const productCode = DEFAULT_PRODUCT_CODES[product];
  if (productCode) biz.product_code = productCode;
  if (product === "create") {
    const buyer = buyerFields(request.openid, extra);
    if (Object.keys(buyer).length === 0 && extra.op_buyer_open_id === undefined) {
      throw new ValidationError(1006, "openid-missing", "用户openid不能为空");
    }
    Object.assign(biz, buyer);
  }
  if (product === "pay") {
    if (typeof request.authCode !== "string" || !/^\d{10,32}$/.test(request.authCode)) throw invalid("auth-code-invalid", "auth_code（付款码）格式不正确");
    biz.auth_code = request.authCode;
    biz.scene = "bar_code";
  }
  return {
    product,
    call: {
      method: METHODS[product],
      bizContent: { ...biz, ...extra },
      params: { notify_url: request.notifyUrl, app_auth_token: appAuthToken ?? merchant.appAuthToken },
    },
  };
}
