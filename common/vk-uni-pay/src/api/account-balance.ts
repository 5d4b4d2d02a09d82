import { checkPid, resolveMerchant } from "../core/merchants";
import { ValidationError } from "../core/errors";
import { respond, type Result } from "../core/result";
import { configPathOf } from "../core/trade-type";
import { productionDeps, requireProvider, type ApiDeps } from "./shared";

export interface QueryAccountBalanceParams {
  provider: string;
  /** The sub-config to use (vk-uni-pay's `platform`); the provider's balance sub-config (Alipay: `transfer`) by default. */
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

/**
 * `queryAccountBalance({ provider, platform, pid })`: the merchant account's balance, for providers that
 * offer it. Yuan values are derived from exact fen (`fen / 100` is the double nearest the decimal).
 */
export function queryAccountBalance(params: QueryAccountBalanceParams, deps: ApiDeps = productionDeps()): Promise<Result<AccountBalanceData>> {
  return respond(
    "queryAccountBalance",
    async () => {
      const name = typeof params?.provider === "string" ? params.provider : "";
      const provider = name ? deps.findProvider(name) : undefined;
      if (!provider?.queryAccountBalance) {
        throw new ValidationError(1020, "balance-unsupported", `${name ? name.slice(0, 32) : "该供应商"}暂不支持查询账户余额`);
      }
      const platform = params.platform ?? provider.capabilities.balanceConfigKey;
      if (typeof platform !== "string" || !PLATFORM.test(platform))
        throw new ValidationError(1011, "platform-invalid", "platform必须是该供应商配置的键名，如 transfer");
      const config = await resolveMerchant(deps, configPathOf(requireProvider(deps, name), platform), checkPid(params.pid));
      const balance = await provider.queryAccountBalance({ config }, deps.runtime);
      const data: AccountBalanceData = {
        availableAmount: balance.availableFee / 100,
        freezeAmount: balance.freezeFee / 100,
        availableFee: balance.availableFee,
        freezeFee: balance.freezeFee,
      };
      if (balance.totalFee !== undefined) {
        data.totalFee = balance.totalFee;
        data.totalAmount = balance.totalFee / 100;
      }
      return data;
    },
    deps.log,
  );
}
