import { ConfigError, NetworkError } from "../../core/errors";
import type { AccountBalance, ProviderRuntime } from "../../kernel/contract";
import { withClientToken } from "./client-token";
import { checkDouyinAnswer, fenOf, postDouyinJson, recordOf } from "./http";
import { DOUYIN_OPEN_HOST, type DouyinMerchant } from "./merchant";

/**
 * The receiving merchant's balance, for either system: `POST /api/apps/ecpay/saas/query_merchant_balance/`
 * with the client_token, the merchant (`mchId`) and the withdrawal channel (`balanceChannelType`, `hz` for
 * 抖音支付 by default). Its `withdrawable_balacne` (Douyin's spelling) is what can be withdrawn and
 * `freeze_balance` what is held; `online_balance` (in transit) is neither, so no total is claimed.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/withdraw/query-balance
 */
export async function queryDouyinBalance(merchant: DouyinMerchant, runtime: ProviderRuntime): Promise<AccountBalance> {
  if (!merchant.mchId) throw new ConfigError("douyin-config-invalid", "查询抖音账户余额需要配置 mchId（收款商户号 merchant_uid）");
  const answer = await withClientToken(merchant, runtime, async (accessToken) =>
    checkDouyinAnswer(
      await postDouyinJson(merchant, runtime, {
        host: DOUYIN_OPEN_HOST,
        path: "/api/apps/ecpay/saas/query_merchant_balance/",
        accessToken,
        body: {
          app_id: merchant.appId,
          merchant_uid: merchant.mchId,
          channel_type: merchant.balanceChannelType,
          ...(merchant.system === "ecpay" && merchant.thirdpartyId ? { thirdparty_id: merchant.thirdpartyId } : {}),
        },
      }),
      "查询账户余额失败",
    ),
  );
  const account = recordOf(answer.account_info);
  const available = fenOf(account?.withdrawable_balacne ?? account?.withdrawable_balance);
  const freeze = fenOf(account?.freeze_balance ?? 0);
  if (available === undefined || freeze === undefined) throw new NetworkError("抖音支付返回的余额格式不正确，请稍后再试");
  return { availableFee: available, freezeFee: freeze };
}
