import { payWithAppleIap } from "./apple-iap";
import { checkPayment } from "./check-payment";
import { callRoute, envelopeFailure } from "./cloud";
import { alertUser, type ClientContext } from "./context";
import { detectPlatform, isPcBrowser, type ClientPlatform } from "./env";
import { cancelled, requestFailed, VkPayClientError } from "./errors";
import {
  payInAlipayMiniProgram,
  payInApp,
  payInDouyinMiniProgram,
  payInWeixinBrowser,
  payInWeixinMiniProgram,
  payVirtually,
  payWithHuawei,
  type NativeOutcome,
} from "./native";
import { getOpenid, openidEnv } from "./openid";
import { payByQrcode } from "./qrcode";
import { payByRedirect, redirectUrlOf } from "./redirect";
import type { CreatedPayment, PayParams, PayResult } from "./types";
import type { ClientCreateFields } from "./wire";

/** Providers that pay with an openid on these platforms (the server's modes that need one). */
function needsOpenid(provider: string, env: string | undefined): boolean {
  if (env === "mp-weixin") return provider === "wxpay" || provider === "wxpay-virtual";
  if (env === "mp-alipay") return provider === "alipay";
  return env === "h5-weixin" && provider === "wxpay";
}

async function openidFor(context: ClientContext, params: PayParams): Promise<string | undefined> {
  if (params.openid) return params.openid;
  if (typeof params.data?.openid === "string") return params.data.openid;
  const env = openidEnv(context);
  if (params.autoGetOpenid === false || !needsOpenid(params.provider, env)) return undefined;
  // In WeChat's browser the openid needs a redirect the caller starts (vkPay.getOpenid); here only a known one or a returned code.
  return getOpenid(context, { env, redirect: false }).catch(() => undefined);
}

/** The native call of the mode the server chose (vk-pay.md §2.3). */
function invokeNative(context: ClientContext, created: CreatedPayment, mode: string, platform: ClientPlatform | undefined): Promise<NativeOutcome> | undefined {
  const { host } = context;
  const { provider, orderInfo } = created;
  if (provider === "wxpay-virtual") return payVirtually(host, orderInfo);
  if (provider === "huawei") return payWithHuawei(host, orderInfo, mode !== "mp-harmony");
  if (mode === "h5-weixin") return payInWeixinBrowser(host, orderInfo);
  if (mode === "mp-weixin") return payInWeixinMiniProgram(host, orderInfo);
  if (mode === "mp-alipay") return payInAlipayMiniProgram(host, orderInfo);
  if (mode === "mp-toutiao") {
    const getOrderStatus = async () => {
      const reply = await callRoute(host, context.options, "pay/queryPayment", { out_trade_no: created.out_trade_no });
      return { code: reply.code === 0 && reply.data?.orderPaid ? 0 : 9 };
    };
    return payInDouyinMiniProgram(host, orderInfo, getOrderStatus);
  }
  if (mode === "app-plus" || platform === "app-plus") return payInApp(host, provider, orderInfo);
  return undefined;
}

function stoppedResult(created: CreatedPayment): PayResult {
  return {
    out_trade_no: created.out_trade_no,
    provider: created.provider,
    pay_type: created.pay_type,
    total_fee: created.total_fee,
    orderPaid: false,
    stopped: true,
  };
}

/** A pay code answers at once: paid, waiting for the payer's password (then polled), or refused. */
async function settlePayCode(context: ClientContext, created: CreatedPayment, params: PayParams): Promise<PayResult> {
  const state = String(created.orderInfo?.tradeState ?? "");
  const how = { awaitNotify: params.awaitNotify, pollingTime: params.pollingTime, pollingTimes: params.pollingTimes };
  if (state === "SUCCESS") return checkPayment(context, created, { ...how, firstDelay: 0 });
  if (state === "USERPAYING") {
    params.onUserPaying?.(created);
    return checkPayment(context, created, { ...how, firstDelay: params.pollingTime ?? context.options.pollingTime ?? 1500 });
  }
  throw new VkPayClientError({
    failType: "result",
    code: state || "fail",
    msg: String(created.orderInfo?.tradeStateDesc ?? "支付失败"),
    out_trade_no: created.out_trade_no,
    raw: created.orderInfo,
  });
}

async function payCreated(context: ClientContext, created: CreatedPayment, params: PayParams, platform: ClientPlatform | undefined): Promise<PayResult> {
  const mode = created.pay_type.startsWith(`${created.provider}_`) ? created.pay_type.slice(created.provider.length + 1) : created.pay_type;
  if (mode === "codepay") return settlePayCode(context, created, params);
  if (created.needQRcode || typeof created.orderInfo?.codeUrl === "string") return payByQrcode(context, created, params, platform);
  if (redirectUrlOf(created.orderInfo)) return payByRedirect(context, created, params, platform === "app-plus");
  const native = invokeNative(context, created, mode, platform);
  if (!native) throw requestFailed(created.out_trade_no, created, "platform", "当前环境不支持该支付方式");
  const outcome = await native;
  if (outcome.kind === "cancel") throw cancelled(created.out_trade_no, outcome.raw);
  if (outcome.kind === "fail") throw requestFailed(created.out_trade_no, outcome.raw, outcome.code, outcome.msg);
  return checkPayment(context, created, {
    awaitNotify: params.awaitNotify,
    firstDelay: 200,
    pollingTime: params.pollingTime,
    pollingTimes: params.pollingTimes,
  });
}

/**
 * `vkPay.pay`: creates the order on the server (which prices it and picks the mode from the client's
 * platform), invokes what that mode needs on this platform, and resolves once the server reports the
 * order paid; fails with `failType` create / request / result.
 */
export async function pay(context: ClientContext, params: PayParams): Promise<PayResult> {
  const platform = detectPlatform(context.host, context.options.platform);
  let made: CreatedPayment | undefined;
  const createOrder = async (fields: Record<string, unknown>): Promise<CreatedPayment | undefined> => {
    const openid = await openidFor(context, params);
    const isPC = params.isPC ?? (platform === "h5" ? isPcBrowser(context.host) : false);
    // createPayment's own fields, typed by the one definition the library answers to (wire.ts).
    const body: ClientCreateFields & Record<string, unknown> = {
      ...(params.data ?? {}),
      ...fields,
      provider: params.provider,
      type: params.type,
      ...(openid ? { openid } : {}),
      ...(isPC ? { isPC: true } : {}),
      ...(params.needQRcode ? { needQRcode: params.needQRcode } : {}),
    };
    const reply = await callRoute(context.host, context.options, params.action ?? "pay/createPayment", body);
    if (reply.code !== 0) throw envelopeFailure("create", reply);
    const created = (made = reply.data as CreatedPayment);
    return params.onCreate?.(created) === false ? undefined : created;
  };
  try {
    if (params.provider === "appleiap") return await payWithAppleIap(context, params, createOrder);
    const created = await createOrder({});
    if (!created) return stoppedResult(made!);
    return await payCreated(context, created, params, platform);
  } catch (error) {
    if (error instanceof VkPayClientError && !error.cancelled) alertUser(context, params.needAlert, error.msg);
    throw error;
  }
}
