import { ConfigError, ValidationError } from "../core/errors";
import { isFen } from "../core/money";
import type { TransferLimits } from "../core/transfers";
import type { MerchantConfig, TransferPayee } from "../kernel/contract";
import { isPlainObject, optionalObject } from "./shared";

/**
 * A transfer's input in either of the shapes callers use, read into one: the seed's (`out_trade_no`,
 * `openid` or `payee_account`, `re_user_name` or `payee_real_name`, `money`, `desc`) and vk-uni-pay
 * 1.16's (`out_bill_no`, `transfer_amount`, `openid` or `payee_info`, `user_name`, `transfer_remark`).
 * Whatever else the caller sent (scene ids, report infos, display options) goes to the provider as `other`.
 */
export interface TransferParams {
  provider: string;
  out_bill_no?: string;
  out_trade_no?: string;
  transfer_amount?: number;
  money?: number;
  openid?: string;
  payee_account?: string;
  payee_info?: { identity?: string; identity_type?: string; name?: string; [field: string]: unknown };
  user_name?: string;
  re_user_name?: string;
  payee_real_name?: string;
  transfer_remark?: string;
  desc?: string;
  order_title?: string;
  /** The sub-config to send with (vk-uni-pay's `platform`); the provider's transfer sub-config by default. */
  platform?: string;
  pid?: string;
  /** The payee's uni-id user: `pay/transfer/pending` shows them their own unconfirmed transfers. */
  user_id?: string;
  /** Who asked (an admin's uid), kept on the transfer. */
  operator?: string;
  /** Transfer although the payee has an unconfirmed one. */
  force?: boolean;
  /** The cloud function's context: its space picks the notification URL (`notifyUrl[spaceId]`). */
  context?: { SPACEINFO?: { spaceId?: string } };
  [field: string]: unknown;
}

/** The fields this file reads; everything else is the provider's `other`. */
const OWN_FIELDS = new Set([
  "provider",
  "out_bill_no",
  "out_trade_no",
  "transfer_amount",
  "money",
  "openid",
  "payee_account",
  "user_name",
  "re_user_name",
  "payee_real_name",
  "transfer_remark",
  "desc",
  "order_title",
  "platform",
  "pid",
  "user_id",
  "operator",
  "force",
  "context",
]);

/** Both platforms take 0.1 yuan at the least. */
export const MIN_TRANSFER_FEN = 10;

/** WeChat's out_bill_no and Alipay's out_biz_no both allow letters and digits; the shorter limit (32) holds for both. */
const OUT_BILL_NO = /^[A-Za-z0-9]{1,32}$/;

export interface TransferInput {
  outBillNo: string;
  amount: number;
  payee: TransferPayee;
  remark: string;
  title?: string;
  configKey?: string;
  pid?: string;
  userId?: string;
  operator?: string;
  force: boolean;
  other?: Record<string, unknown>;
}

function optionalText(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.length > max) throw new ValidationError(-1, `${name}-invalid`, `${name}必须是不超过${max}个字符的字符串`);
  return value;
}

export function checkOutBillNo(value: unknown): string {
  if (typeof value !== "string" || !OUT_BILL_NO.test(value))
    throw new ValidationError(1001, "out-bill-no-invalid", "out_bill_no只能由数字和字母组成，且不超过32位");
  return value;
}

export function readTransferInput(params: TransferParams): TransferInput {
  const outBillNo = checkOutBillNo(params.out_bill_no ?? params.out_trade_no);
  const amount = params.transfer_amount ?? params.money;
  if (typeof amount !== "number" || !Number.isFinite(amount)) throw new ValidationError(1007, "amount-invalid", "转账金额必须是数字（单位分）");
  if (!isFen(amount)) throw new ValidationError(1008, "amount-invalid", "转账金额必须是大于0的整数（单位分）");
  if (amount < MIN_TRANSFER_FEN) throw new ValidationError(1008, "amount-too-small", "转账金额不能小于0.1元");
  const info = params.payee_info === undefined ? undefined : optionalObject(params.payee_info, "payee_info");
  const account = optionalText(params.openid ?? params.payee_account ?? info?.identity, "payee", 128);
  if (!account) throw new ValidationError(1009, "payee-missing", "收款账号（openid 或 payee_account）不能为空");
  const realName = optionalText(params.user_name ?? params.re_user_name ?? params.payee_real_name ?? info?.name, "user_name", 64);
  const accountType = optionalText(info?.identity_type, "identity_type", 32);
  const remark = optionalText(params.transfer_remark ?? params.desc, "transfer_remark", 32) ?? "";
  const title = optionalText(params.order_title ?? params.desc, "order_title", 64);
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (!OWN_FIELDS.has(key) && value !== undefined) other[key] = value;
  const checkedOther = Object.keys(other).length > 0 ? optionalObject(other, "other") : undefined;
  return {
    outBillNo,
    amount,
    payee: { account, ...(accountType ? { accountType } : {}), ...(realName ? { realName } : {}) },
    remark,
    ...(title ? { title } : {}),
    ...(optionalText(params.platform, "platform", 32) ? { configKey: params.platform as string } : {}),
    ...(optionalText(params.pid, "pid", 64) ? { pid: params.pid as string } : {}),
    ...(optionalText(params.user_id, "user_id", 64) ? { userId: params.user_id as string } : {}),
    ...(optionalText(params.operator, "operator", 64) ? { operator: params.operator as string } : {}),
    force: params.force === true,
    ...(checkedOther ? { other: checkedOther } : {}),
  };
}

function limitOf(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isFen(value)) throw new ConfigError("transfer-limits-invalid", `转账限额 limits.${name} 必须是正整数（单位分）`);
  return value;
}

/**
 * The merchant's limits, from its transfer sub-config: `limits: { perTransfer, perPayeeDaily, daily }`
 * in fen (WeChat also caps each transfer per scene; the configured one is ours, checked before sending).
 */
export function readTransferLimits(config: MerchantConfig): TransferLimits {
  const limits = config.limits;
  if (limits === undefined || limits === null) return {};
  if (!isPlainObject(limits)) throw new ConfigError("transfer-limits-invalid", "转账限额 limits 必须是对象");
  const perTransfer = limitOf(limits.perTransfer, "perTransfer");
  const perPayeeDaily = limitOf(limits.perPayeeDaily, "perPayeeDaily");
  const daily = limitOf(limits.daily, "daily");
  return {
    ...(perTransfer ? { perTransfer } : {}),
    ...(perPayeeDaily ? { perPayeeDaily } : {}),
    ...(daily ? { daily } : {}),
  };
}
