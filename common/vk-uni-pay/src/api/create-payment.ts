import type { CreatePaymentAnswer } from "../../../vk-uni-pay-client/src/wire";
import { notifyBaseUrl } from "../core/config";
import { checkPid, resolveMerchant } from "../core/merchants";
import { failures, ValidationError } from "../core/errors";
import { isFen } from "../core/money";
import { markClosed, markUserPaying, openOrder, type Order } from "../core/orders";
import { qrcodeDataUrl } from "../core/qrcode";
import { respond, type Result } from "../core/result";
import { selectTradeType, type TradeType } from "../core/trade-type";
import { applyReportedPayment, checkOutTradeNo, optionalObject, partnerOf, productionDeps, requireProvider, type ApiDeps } from "./shared";

export interface PaymentContext {
  PLATFORM?: string;
  CLIENTUA?: string;
  CLIENTIP?: string;
  APPID?: string;
  SPACEINFO?: { spaceId?: string };
}

export interface CreatePaymentParams {
  context: PaymentContext;
  provider: string;
  isPC?: boolean;
  needQRcode?: boolean | "image";
  alipayAppPayToH5Pay?: boolean;
  data: {
    out_trade_no: string;
    total_fee: number;
    subject: string;
    type: string;
    openid?: string;
    body?: string;
    user_id?: string;
    custom?: Record<string, unknown>;
    other?: Record<string, unknown>;
    time_expire?: number;
    auth_code?: string;
    /** Pay codes: the merchant's own store number (WeChat v3 requires it). */
    store_id?: string;
    pid?: string;
    /** The merchant's business type; required by providers whose checkCreate says so. */
    biz_type?: string;
    return_url?: string;
    provider_pay_method?: string;
    /** Platform-priced providers (priceOrder): what is bought (product id, quantity), priced from the merchant's config. */
    item?: Record<string, unknown>;
  };
}

/** The answer's one definition, shared with the client SDK's declarations (review finding D8). */
export type CreatePaymentData = CreatePaymentAnswer;

/**
 * The switches a provider may read (`alipayAppPayToH5Pay`, …): uni-pay/config.js's top-level flags, then
 * the caller's own createPayment options over them, everything but what the core reads itself.
 */
function switchesOf(params: CreatePaymentParams, config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const switches: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (typeof value === "boolean") switches[key] = value;
  const {
    context: _context,
    provider: _provider,
    data: _data,
    isPC: _isPC,
    needQRcode: _needQRcode,
    ...options
  } = params as CreatePaymentParams & Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) if (typeof value === "boolean") switches[key] = value;
  return switches;
}

/** `priced`: the provider fixes the amount (priceOrder), so the caller's total_fee and subject may be absent. */
/** The caller's item for `priceOrder`: `data.item`, else the provider's vk-uni-pay key for it (`capabilities.itemField`). */
export function itemOf(data: Readonly<Record<string, unknown>> | undefined, itemField: string | undefined): unknown {
  return data?.item ?? (itemField ? data?.[itemField] : undefined);
}

function checkData(params: CreatePaymentParams, now: number, priced = false, itemField?: string) {
  const data = optionalObject(params?.data, "data") ?? {};
  const outTradeNo = checkOutTradeNo(data.out_trade_no);
  if (!priced && !isFen(data.total_fee)) throw failures.totalFeeInvalid();
  const subjectGiven = !(priced && (data.subject === undefined || data.subject === ""));
  if (subjectGiven && (typeof data.subject !== "string" || !data.subject.trim() || data.subject.length > 127)) throw failures.subjectInvalid();
  if (typeof data.type !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(data.type)) throw failures.typeInvalid();
  if (typeof params.provider !== "string" || !params.provider) throw failures.providerInvalid();
  for (const key of [
    "openid",
    "body",
    "user_id",
    "auth_code",
    "store_id",
    "sub_mchid",
    "sub_appid",
    "app_auth_token",
    "biz_type",
    "return_url",
    "provider_pay_method",
  ] as const) {
    if (data[key] !== undefined && typeof data[key] !== "string") throw new ValidationError(-1, `${key}-invalid`, `${key}必须是字符串`);
  }
  if (data.time_expire !== undefined && !(Number.isSafeInteger(data.time_expire) && (data.time_expire as number) > now)) {
    throw new ValidationError(-1, "time-expire-invalid", "time_expire必须是未来的13位毫秒时间戳");
  }
  return {
    outTradeNo,
    totalFee: data.total_fee as number | undefined,
    subject: typeof data.subject === "string" ? data.subject.trim() : "",
    type: data.type,
    openid: data.openid as string | undefined,
    body: data.body as string | undefined,
    userId: data.user_id as string | undefined,
    authCode: data.auth_code as string | undefined,
    storeId: data.store_id as string | undefined,
    timeExpire: data.time_expire as number | undefined,
    custom: optionalObject(data.custom, "custom") ?? {},
    other: optionalObject(data.other, "other"),
    pid: checkPid(data.pid),
    subMchId: (data.sub_mchid as string | undefined) || undefined,
    subAppId: (data.sub_appid as string | undefined) || undefined,
    appAuthToken: (data.app_auth_token as string | undefined) || undefined,
    providerInputs: {
      ...(data.biz_type ? { bizType: data.biz_type as string } : {}),
      ...(data.return_url ? { returnUrl: data.return_url as string } : {}),
      ...(data.provider_pay_method ? { payMethod: data.provider_pay_method as string } : {}),
    },
    item: optionalObject(itemOf(data, itemField), itemField && data.item === undefined ? itemField : "item") ?? {},
  };
}

export async function create(params: CreatePaymentParams, deps: ApiDeps): Promise<CreatePaymentData> {
  const now = deps.now();
  const named = typeof params?.provider === "string" ? deps.findProvider(params.provider) : undefined;
  const input = checkData(params, now, named?.priceOrder !== undefined, named?.capabilities.itemField);
  const config = deps.config();
  const whitelist = config.userWhitelist ?? [];
  if (whitelist.length > 0 && !(input.userId && whitelist.includes(input.userId))) {
    throw new ValidationError(1021, "user-not-whitelisted", "当前用户不在支付白名单中");
  }
  const context = params.context ?? {};
  const provider = requireProvider(deps, params.provider);
  const tradeType: TradeType = selectTradeType(provider, {
    platform: context.PLATFORM,
    userAgent: context.CLIENTUA,
    isPC: params.isPC === true,
    needQRcode: params.needQRcode,
    authCode: input.authCode,
    switches: switchesOf(params, config),
  });
  if (tradeType.needsOpenid && !input.openid) throw failures.openidMissing();
  // Before the order is written: a provider that cannot take these inputs leaves nothing behind.
  provider.checkCreate?.({ mode: tradeType.mode, ...input.providerInputs });
  const merchant = await resolveMerchant(deps, tradeType.configPath, input.pid);
  // A platform-priced item (an App Store product, say) costs what the merchant configured, whatever the client sent.
  const quote = provider.priceOrder ? await provider.priceOrder({ mode: tradeType.mode, config: merchant, item: input.item }, deps.runtime) : undefined;
  if (quote) {
    if (!isFen(quote.totalFee)) throw failures.totalFeeInvalid();
    // A caller's amount that disagrees is refused rather than replaced: an order type's create hook may have
    // derived its terms (a recharge's credit) from it, and those must not ride on a different price.
    if (input.totalFee !== undefined && input.totalFee !== quote.totalFee) {
      throw new ValidationError(
        1003,
        "total-fee-mismatch",
        "订单金额与服务器计算的金额不一致，请刷新后重试",
        `caller ${input.totalFee}, platform price ${quote.totalFee}`,
      );
    }
    input.totalFee = quote.totalFee;
    input.subject = quote.subject ?? input.subject;
    if (!input.subject) throw failures.subjectInvalid();
  }
  if (input.totalFee === undefined) throw failures.totalFeeInvalid();
  const notifyPath = `/vk-pay-notify/${tradeType.payType}/${input.outTradeNo}${input.pid ? `/pid/${input.pid}` : ""}`;
  const notifyUrl = `${notifyBaseUrl(config, context.SPACEINFO?.spaceId)}${notifyPath}`;

  const order: Order = await openOrder(
    {
      out_trade_no: input.outTradeNo,
      type: input.type,
      provider: tradeType.provider,
      pay_type: tradeType.payType,
      total_fee: input.totalFee,
      description: input.subject,
      user_id: input.userId,
      openid: input.openid,
      custom: input.custom,
      platform: context.PLATFORM ?? "",
      client_ip: context.CLIENTIP ?? "",
      appid: context.APPID ?? "",
      mch_id: typeof merchant.mchId === "string" ? merchant.mchId : undefined,
      provider_appid: typeof merchant.appId === "string" ? merchant.appId : undefined,
      notify_url: notifyUrl,
      notify_path: notifyPath,
      ...(input.pid ? { pid: input.pid } : {}),
      ...(input.subMchId ? { sub_mchid: input.subMchId } : {}),
      ...(input.subAppId ? { sub_appid: input.subAppId } : {}),
      ...(input.appAuthToken ? { app_auth_token: input.appAuthToken } : {}),
      time_expire: input.timeExpire,
      ...(quote?.orderFields ? { provider_fields: { ...quote.orderFields } } : {}),
    },
    now,
    deps.db,
  );

  const created = await provider.createPayment(
    {
      mode: tradeType.mode,
      config: merchant,
      outTradeNo: input.outTradeNo,
      totalFee: input.totalFee,
      subject: input.subject,
      body: input.body,
      notifyUrl,
      clientIp: context.CLIENTIP ?? "127.0.0.1",
      openid: input.openid,
      authCode: input.authCode,
      ...(input.storeId !== undefined ? { storeId: input.storeId } : {}),
      timeExpire: input.timeExpire,
      other: input.other,
      ...input.providerInputs,
      ...(order.provider_fields ? { orderFields: order.provider_fields } : {}),
      ...partnerOf(order),
    },
    deps.runtime,
  );
  // A pay-code payment answers at once; it is applied through the same exactly-once path as a notification,
  // with the amount the provider reports (checked against the order there).
  if (created.state === "SUCCESS") {
    await applyReportedPayment(
      order,
      {
        state: "SUCCESS",
        outTradeNo: order.out_trade_no,
        transactionId: created.transactionId,
        totalFee: created.totalFee ?? input.totalFee,
        paidAt: created.paidAt,
        raw: created.raw,
      },
      deps,
    );
  } else if (created.state === "USERPAYING") {
    await markUserPaying(order._id, deps.db);
  } else if (created.state === "CLOSED" || created.state === "PAYERROR") {
    // Reversed or refused at the provider: this order number can no longer be paid.
    await markClosed(order._id, now, deps.db);
  }

  return {
    orderInfo: created.orderInfo,
    out_trade_no: input.outTradeNo,
    provider: tradeType.provider,
    pay_type: tradeType.payType,
    needQRcode: tradeType.qrcode,
    ...(params.needQRcode === "image" && created.codeUrl ? { qrcodeImage: await qrcodeDataUrl(created.codeUrl) } : {}),
    total_fee: input.totalFee,
    platform: context.PLATFORM ?? "",
  };
}

/** `vkPay.createPayment`: creates (or retries) the order, then asks the provider for what the client needs. */
export function createPayment(params: CreatePaymentParams, deps: ApiDeps = productionDeps()): Promise<Result<CreatePaymentData>> {
  return respond("createPayment", () => create(params, deps), deps.log);
}
