import { notifyBaseUrl, type PayConfig } from "../core/config";
import { NetworkError, ProviderRejectedError, ValidationError, VkPayError } from "../core/errors";
import { respond, type Result } from "../core/result";
import { settleTransfer } from "../core/settle-transfer";
import {
  claimResend,
  markRefused,
  markSendUnknown,
  releaseUnsentTransfer,
  reserveTransfer,
  transferFailures,
  unconfirmedTransfers,
  type TransferRecord,
} from "../core/transfers";
import type { MerchantConfig, PaymentProvider } from "../kernel/contract";
import { readTransferInput, readTransferLimits, type TransferInput, type TransferParams } from "./transfer-input";
import { productionDeps, type ApiDeps } from "./shared";
import { defaultConfigKey, transferMerchant, transferProvider } from "./transfer-merchant";
import { beijingDay, transferView, type TransferData } from "./transfer-view";

export type { TransferParams } from "./transfer-input";
export type { TransferData } from "./transfer-view";
export { cancelTransfer, listTransfers, pendingTransfers, queryTransfer } from "./transfer-follow-up";

/**
 * `/transfer-notify/<provider>/<out_bill_no>[/pid/<pid>]` under this space's vk-pay URL, or none when the
 * space has no URL configured: transfers then settle by query (WeChat's `notify_url` is optional).
 */
function notifyUrlOf(config: PayConfig, spaceId: string | undefined, provider: string, input: TransferInput): string | undefined {
  const table = config.notifyUrl ?? {};
  let base: string | undefined;
  try {
    base = notifyBaseUrl(config, spaceId);
  } catch {
    // Outside a request (a timer, another function) there may be no space id; one configured URL is the space's.
    const urls = Object.values(table).filter((url) => typeof url === "string" && /^https?:\/\//.test(url));
    base = urls.length === 1 ? urls[0]!.replace(/\/+$/, "") : undefined;
  }
  return base ? `${base}/transfer-notify/${provider}/${input.outBillNo}${input.pid ? `/pid/${input.pid}` : ""}` : undefined;
}

async function send(
  provider: PaymentProvider,
  record: TransferRecord,
  input: TransferInput,
  config: MerchantConfig,
  notifyUrl: string | undefined,
  deps: ApiDeps,
) {
  let status;
  try {
    status = await provider.transfer!(
      {
        mode: record.config_key,
        config,
        outBillNo: record.out_bill_no,
        amount: record.transfer_amount,
        payee: input.payee,
        remark: input.remark,
        ...(input.title ? { title: input.title } : {}),
        ...(notifyUrl ? { notifyUrl } : {}),
        ...(input.other ? { other: input.other } : {}),
      },
      deps.runtime,
    );
  } catch (error) {
    if (error instanceof ProviderRejectedError) {
      // Refused outright: no bill exists at the provider, and this number stays spent, as a FAIL.
      await markRefused(record._id, error.providerCode, deps.now(), deps.db);
    } else if (error instanceof NetworkError || !(error instanceof VkPayError)) {
      // The provider may have the bill: the same number, sent again, is the same transfer there.
      await markSendUnknown(record._id, deps.now(), deps.db);
    } else {
      // Refused before sending (a rule of the provider's, or its config): nothing exists anywhere.
      await releaseUnsentTransfer(record, deps.db);
    }
    throw error;
  }
  const settled = await settleTransfer(record, status, { db: deps.db, now: deps.now(), log: deps.log, hooks: deps.hooks });
  if (settled.move === "refused") throw new NetworkError("支付平台返回的转账单与请求不一致，请稍后查询");
  return { record: settled.record, raw: status.raw };
}

async function transferToUser(params: TransferParams, deps: ApiDeps): Promise<TransferData> {
  const input = readTransferInput(params ?? ({} as TransferParams));
  const provider = transferProvider(deps, params.provider);
  const configKey = input.configKey ?? defaultConfigKey(provider);
  const config = await transferMerchant(deps, provider, configKey, input.pid);
  const limits = readTransferLimits(config);
  if (limits.perTransfer !== undefined && input.amount > limits.perTransfer) throw new ValidationError(1008, "amount-too-large", "转账金额超过单笔转账上限");
  if (!input.force) {
    // WeChat's FAQ: while the payee has not confirmed, a new transfer risks paying twice.
    const waiting = (await unconfirmedTransfers({ provider: provider.name, payee_account: input.payee.account }, deps.db)).find(
      (record) => record.out_bill_no !== input.outBillNo,
    );
    if (waiting) throw transferFailures.unconfirmed(waiting.out_bill_no);
  }
  const now = deps.now();
  const { record, created } = await reserveTransfer(
    {
      out_bill_no: input.outBillNo,
      provider: provider.name,
      config_key: configKey,
      ...(input.pid ? { pid: input.pid } : {}),
      transfer_amount: input.amount,
      payee_account: input.payee.account,
      ...(input.payee.accountType ? { payee_account_type: input.payee.accountType } : {}),
      payee_name_sent: input.payee.realName !== undefined,
      ...(input.userId ? { user_id: input.userId } : {}),
      transfer_remark: input.remark,
      ...(input.operator ? { operator: input.operator } : {}),
      ...(input.force ? { force: true } : {}),
      day: beijingDay(now),
    },
    limits,
    now,
    deps.db,
  );
  // Only the caller that created the transfer sends it, or one that claimed a send whose answer was lost.
  if (!created && !(record.send_state === "unknown" && (await claimResend(record._id, deps.now(), deps.db)))) {
    if (record.send_state !== "sent") throw transferFailures.inFlight();
    return transferView(record);
  }
  const notifyUrl = notifyUrlOf(deps.config(), params.context?.SPACEINFO?.spaceId, provider.name, input);
  const sent = await send(provider, record, input, config, notifyUrl, deps);
  return transferView(sent.record, sent.raw);
}

/**
 * `vkPay.transfer`: pays a user from the merchant's account (WeChat 商家转账, Alipay 单笔转账). The
 * transfer is written to `vk-pay-transfers` before the provider hears of it, so one `out_bill_no` pays
 * at most once, also when called concurrently or again after a timeout.
 */
export function transfer(params: TransferParams, deps: ApiDeps = productionDeps()): Promise<Result<TransferData>> {
  return respond("transfer", () => transferToUser(params, deps), deps.log);
}
