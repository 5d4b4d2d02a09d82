import { ValidationError } from "../../core/errors";
import type { ManageRequest, ProviderRuntime } from "../../kernel/contract";
import { callXpay } from "./client";
import { findCoinRow, sendCoinOperationOnce } from "./coin-ledger";
import { readXpayMerchant, type XpayMerchant } from "./merchant";
import { databaseOf, sessionKeyOf } from "./stores";

/**
 * The coin wallet manager of vk-pay.md §1.8 (`getWxpayVirtualManager()`), over xpay's server APIs. Only
 * query_user_balance, currency_pay and cancel_currency_pay carry the user's `signature` (so they need a live
 * session key); present_currency and notify_provide_goods take `pay_sig` alone.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 */

type Params = Readonly<Record<string, unknown>>;

/** Merchant order ids of every xpay API: 8-32 characters of [0-9A-Za-z_-|*@], not starting with `_`. */
const XPAY_ORDER_ID = /^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/;

function text(params: Params, field: string, max: number, required = true): string {
  const value = params[field];
  if (value === undefined && !required) return "";
  if (typeof value !== "string" || (required && !value) || value.length > max)
    throw new ValidationError(-1, `${field}-invalid`, `${field}必须是不超过${max}个字符的字符串`);
  return value;
}

function coins(params: Params, field = "amount"): number {
  const value = params[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0)
    throw new ValidationError(1008, `${field}-invalid`, `${field}必须是正整数（代币数）`);
  return value;
}

function orderId(params: Params, field: string): string {
  const value = params[field];
  if (typeof value !== "string" || !XPAY_ORDER_ID.test(value)) {
    throw new ValidationError(-1, `${field}-invalid`, `${field}须为8-32位字母、数字或 _-|*@，且不能以_开头`);
  }
  return value;
}

/** vk-uni-pay's `deviceType`: 1 (Android) is the only one xpay's coin APIs serve; absent means 1. */
function checkDeviceType(params: Params): void {
  if (params.deviceType !== undefined && params.deviceType !== 1) throw new ValidationError(-1, "deviceType-invalid", "deviceType 目前只支持 1（安卓）");
}

function operatorOf(params: Params): string | undefined {
  return typeof params.operator === "string" && params.operator ? params.operator.slice(0, 64) : undefined;
}

/** The caller's session key when given (the manual allows it), else the one `code2SessionWeixinMP` stored. */
async function sessionKeyFor(merchant: XpayMerchant, openid: string, params: Params, runtime: ProviderRuntime): Promise<string> {
  if (typeof params.sessionKey === "string" && params.sessionKey) return params.sessionKey;
  return sessionKeyOf(merchant.appId, openid, runtime);
}

interface UserCall {
  merchant: XpayMerchant;
  openid: string;
  userIp: string;
  sessionKey: string;
}

async function userCall(request: ManageRequest, runtime: ProviderRuntime): Promise<UserCall> {
  const merchant = readXpayMerchant(request.config);
  const openid = text(request.params, "openid", 128);
  const userIp = text(request.params, "userIp", 64);
  return { merchant, openid, userIp, sessionKey: await sessionKeyFor(merchant, openid, request.params, runtime) };
}

function numberOf(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

async function queryBalance(call: UserCall, runtime: ProviderRuntime): Promise<Record<string, unknown>> {
  const answer = await callXpay(call.merchant, "query_user_balance", { openid: call.openid, env: call.merchant.env, user_ip: call.userIp }, runtime, {
    sessionKey: call.sessionKey,
  });
  return {
    balance: numberOf(answer.balance),
    presentBalance: numberOf(answer.present_balance),
    sumSave: numberOf(answer.sum_save),
    sumPresent: numberOf(answer.sum_present),
    sumBalance: numberOf(answer.sum_balance),
    sumCost: numberOf(answer.sum_cost),
    firstSaveFlag: answer.first_save_flag === true,
  };
}

async function currencyPay(request: ManageRequest, runtime: ProviderRuntime) {
  checkDeviceType(request.params);
  const amount = coins(request.params);
  const outTradeNo = orderId(request.params, "outTradeNo");
  const payitem = text(request.params, "payitem", 1024, false);
  const remark = text(request.params, "remark", 256, false);
  const call = await userCall(request, runtime);
  const body = { openid: call.openid, env: call.merchant.env, user_ip: call.userIp, amount, order_id: outTradeNo, payitem, remark };
  return sendCoinOperationOnce(
    call.merchant,
    { kind: "pay", orderId: outTradeNo, openid: call.openid, amount, operator: operatorOf(request.params) },
    async () => {
      const answer = await callXpay(call.merchant, "currency_pay", body, runtime, { sessionKey: call.sessionKey });
      return { balance: numberOf(answer.balance), usedPresentAmount: numberOf(answer.used_present_amount), outTradeNo };
    },
    // Applied by an earlier attempt whose answer was lost: the balance now is what can be said.
    async () => ({ balance: (await queryBalance(call, runtime)).balance, outTradeNo }),
    runtime,
  );
}

async function cancelCurrencyPay(request: ManageRequest, runtime: ProviderRuntime) {
  checkDeviceType(request.params);
  const amount = coins(request.params);
  const outTradeNo = orderId(request.params, "outTradeNo");
  const outRefundNo = orderId(request.params, "outRefundNo");
  const call = await userCall(request, runtime);
  // A spend this library recorded must be the same user's, settled, and at least this large.
  const spend = await findCoinRow(call.merchant, outTradeNo, databaseOf(runtime));
  if (spend && (spend.kind !== "pay" || spend.openid !== call.openid || spend.status !== "SUCCESS" || amount > spend.amount)) {
    throw new ValidationError(-1, "wxpay-virtual-cancel-mismatch", "要撤销的代币支付不存在、不属于该用户，或撤销数量超过支付数量");
  }
  const body = { openid: call.openid, env: call.merchant.env, user_ip: call.userIp, pay_order_id: outTradeNo, order_id: outRefundNo, amount };
  return sendCoinOperationOnce(
    call.merchant,
    { kind: "cancel", orderId: outRefundNo, openid: call.openid, amount, payOrderId: outTradeNo, operator: operatorOf(request.params) },
    async () => {
      await callXpay(call.merchant, "cancel_currency_pay", body, runtime, { sessionKey: call.sessionKey });
      return { outRefundNo };
    },
    async () => ({ outRefundNo }),
    runtime,
  );
}

/** present_currency needs no user session (pay_sig only): a gift reaches users who are not in the mini program. */
async function presentCurrency(request: ManageRequest, runtime: ProviderRuntime) {
  checkDeviceType(request.params);
  const merchant = readXpayMerchant(request.config);
  const openid = text(request.params, "openid", 128);
  const amount = coins(request.params);
  const outTradeNo = orderId(request.params, "outTradeNo");
  return sendCoinOperationOnce(
    merchant,
    { kind: "present", orderId: outTradeNo, openid, amount, operator: operatorOf(request.params) },
    async () => {
      const answer = await callXpay(merchant, "present_currency", { openid, env: merchant.env, order_id: outTradeNo, amount }, runtime);
      return { balance: numberOf(answer.balance), presentBalance: numberOf(answer.present_balance), outTradeNo };
    },
    // xpay asks for retries "until errcode 0 or 268490004": the latter means an earlier attempt gave it.
    async () => ({ outTradeNo }),
    runtime,
  );
}

/**
 * notify_provide_goods: tells xpay that a cash order's goods were delivered, for when the delivery push kept
 * failing (a normal push answered ErrCode 0 needs no call). pay_sig only.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/api_notify_provide_goods
 */
async function notifyProvideGoods(request: ManageRequest, runtime: ProviderRuntime) {
  const merchant = readXpayMerchant(request.config);
  const outTradeNo = orderId(request.params, "outTradeNo");
  await callXpay(merchant, "notify_provide_goods", { order_id: outTradeNo, env: merchant.env }, runtime);
  return { outTradeNo };
}

const METHODS: Record<string, (request: ManageRequest, runtime: ProviderRuntime) => Promise<Record<string, unknown>>> = {
  queryUserBalance: async (request, runtime) => queryBalance(await userCall(request, runtime), runtime),
  currencyPay,
  cancelCurrencyPay,
  presentCurrency,
  notifyProvideGoods,
};

export async function manageXpay(request: ManageRequest, runtime: ProviderRuntime): Promise<Readonly<Record<string, unknown>>> {
  const method = Object.prototype.hasOwnProperty.call(METHODS, request.method) ? METHODS[request.method] : undefined;
  if (!method) throw new ValidationError(-1, "manager-method-unknown", "不支持的虚拟支付管理方法");
  return method(request, runtime);
}
