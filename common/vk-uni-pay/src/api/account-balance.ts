import { checkPid, resolveMerchant } from "../core/merchants";
import { NetworkError, ValidationError } from "../core/errors";
import { respond, type Result } from "../core/result";
import { callAlipayOk } from "../providers/alipay/client";
import { readAlipayMerchant } from "../providers/alipay/merchant";
import { parseAlipayAmount } from "../providers/alipay/protocol";
import { productionDeps, type ApiDeps } from "./shared";

export interface QueryAccountBalanceParams {
  provider: string;
  /** The sub-config to use (vk-uni-pay's `platform`); `transfer` by default, since the balance is checked before payouts. */
  platform?: string;
  /** Multi-merchant `vk-pay-config` row: accepted as createPayment accepts it; the file config is used. */
  pid?: string;
}

/**
 * vk-uni-pay ≥1.13's camelCase answer, amounts in yuan (reference: vk-pay.md §1.6), plus the same amounts as
 * integer fen (`…Fee`), which is what the rest of this library counts in.
 */
export interface AccountBalanceData {
  availableAmount: number;
  freezeAmount: number;
  totalAmount?: number;
  availableFee: number;
  freezeFee: number;
  totalFee?: number;
}

const PLATFORM = /^[a-z][a-z0-9-]{0,31}$/;

function fen(value: unknown, field: string): number {
  try {
    return parseAlipayAmount(value, field, { allowZero: true });
  } catch {
    throw new NetworkError(`支付宝返回的${field}格式不正确，请稍后再试`);
  }
}

/**
 * `queryAccountBalance({ provider: "alipay", platform, pid })`: the merchant account's balance. Yuan values
 * are derived from exact fen (`fen / 100` is the double nearest the decimal, as `Number("12.34")` is).
 *
 * @see https://docs.open.alipay.com/api_15/alipay.data.bill.balance.query
 */
export function queryAccountBalance(params: QueryAccountBalanceParams, deps: ApiDeps = productionDeps()): Promise<Result<AccountBalanceData>> {
  return respond("queryAccountBalance", async () => {
    if (params?.provider !== "alipay") {
      throw new ValidationError(1020, "balance-unsupported", `${typeof params?.provider === "string" ? params.provider.slice(0, 32) : "该供应商"}暂不支持查询账户余额`);
    }
    const platform = params.platform ?? "transfer";
    if (typeof platform !== "string" || !PLATFORM.test(platform)) throw new ValidationError(1011, "platform-invalid", "platform必须是支付宝配置的键名，如 transfer");
    const merchant = readAlipayMerchant(await resolveMerchant(deps, { provider: "alipay", configKey: platform }, checkPid(params.pid)));
    const answer = await callAlipayOk(merchant, deps.runtime, { method: "alipay.data.bill.balance.query", bizContent: {}, params: { app_auth_token: merchant.appAuthToken } }, "查询账户余额失败");
    const availableFee = fen(answer.available_amount, "available_amount");
    const freezeFee = answer.freeze_amount === undefined ? 0 : fen(answer.freeze_amount, "freeze_amount");
    const data: AccountBalanceData = { availableAmount: availableFee / 100, freezeAmount: freezeFee / 100, availableFee, freezeFee };
    if (answer.total_amount !== undefined) {
      data.totalFee = fen(answer.total_amount, "total_amount");
      data.totalAmount = data.totalFee / 100;
    }
    return data;
  }, deps.log);
}
