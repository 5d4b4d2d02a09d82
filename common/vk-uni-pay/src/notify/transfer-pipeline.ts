import type { Deps } from "../core/deps";
import { VkPayError } from "../core/errors";
import { resolveMerchant } from "../core/merchants";
import { settleTransfer } from "../core/settle-transfer";
import { configPathOf } from "../core/trade-type";
import { findTransfer, recordTransferNotification } from "../core/transfers";
import { jsonReply, type IntegrationResponse } from "../http-reply";
import type { MerchantConfig, NormalizedEvent, RawNotification, TransferStatus } from "../kernel/contract";
import { logNotification, refusalDiagnosis, type NotifyLogEntry } from "./log";
import { parseNotifyPath, receiveNotification, type NotificationEvent } from "./raw";

/**
 * Transfer notifications (`/transfer-notify/<provider>/<out_bill_no>[/pid/<pid>]`): verified with the
 * sub-config the stored transfer was sent with, then bound to that transfer (number, amount, payee,
 * merchant, app), then the forward-only state change and the `transfer` hook, once per transfer. The
 * path's number only chooses the keys to verify with; what changes is named by the verified payload.
 */

export interface TransferVerdict {
  accepted: boolean;
  ourFault?: boolean;
  entry: Omit<NotifyLogEntry, "provider" | "pay_type">;
}

/** The stored transfer a verified report speaks of, moved as it says. Also used for transfer events at the payment path (Alipay's gateway). */
export async function judgeTransferEvent(
  event: { kind: "transfer" } & TransferStatus,
  provider: string,
  verifiedWith: { configKey?: string; pid?: string },
  deps: Deps,
): Promise<TransferVerdict> {
  const base = { kind: "transfer" as const, out_bill_no: event.outBillNo };
  const record = await findTransfer(event.outBillNo, deps.db);
  if (!record) return { accepted: false, entry: { ...base, outcome: "refused", reason: "unknown out_bill_no" } };
  if (record.provider !== provider)
    return { accepted: false, entry: { ...base, outcome: "refused", reason: `provider ${provider} does not match the transfer's ${record.provider}` } };
  // Verified with one merchant's keys, it may only speak for that merchant's transfers.
  if ((record.pid || undefined) !== verifiedWith.pid || (verifiedWith.configKey !== undefined && verifiedWith.configKey !== record.config_key)) {
    return { accepted: false, entry: { ...base, outcome: "refused", reason: "verified with another merchant's config than the transfer's" } };
  }
  const notification = { state: event.state, fail_reason: event.failReason, received: deps.now(), data: event.raw };
  const settled = await settleTransfer(record, event, { db: deps.db, now: deps.now(), log: deps.log, hooks: deps.hooks, notification });
  if (settled.move === "refused") return { accepted: false, entry: { ...base, outcome: "refused", reason: settled.reason } };
  if (settled.move === "unchanged") await recordTransferNotification(record._id, notification, deps.db);
  const hook = settled.hook === "none" ? undefined : settled.hook;
  return {
    accepted: hook !== "failed",
    ...(hook === "failed" ? { ourFault: true } : {}),
    entry: { ...base, outcome: settled.move === "moved" ? "applied" : "duplicate", ...(hook ? { hook } : {}) },
  };
}

function refusedUnverified(error: unknown, deps: Deps): TransferVerdict {
  if (!(error instanceof VkPayError)) deps.log(`vk-uni-pay: transfer notification could not be verified: ${(error as Error)?.message ?? String(error)}`);
  const ourFault = !(error instanceof VkPayError) || error.kind === "network";
  return {
    accepted: false,
    ourFault,
    entry: {
      outcome: "refused",
      reason: error instanceof VkPayError ? `${error.errCode}: ${error.detail ?? error.message}` : "verification failed",
      ...refusalDiagnosis(error, deps.now()),
    },
  };
}

/** Entry point of `/transfer-notify/...`: the provider's exact reply, every notification logged. */
export async function processTransferNotification(input: NotificationEvent, deps: Deps): Promise<IntegrationResponse> {
  const path = parseNotifyPath(input?.path, "/transfer-notify/");
  if (!path || path.payType !== path.provider)
    return jsonReply(404, { code: "vk-pay-notify-path-invalid", message: "notification path must be /transfer-notify/<provider>" });
  const provider = deps.findProvider(path.provider);
  if (!provider?.transfer) return jsonReply(404, { code: "vk-pay-no-such-provider", message: `no transfer provider: ${path.provider}` });
  const { raw, problem } = receiveNotification(input);
  // The number in the path names the transfer whose sub-config verifies it; without one, the provider's transfer sub-config.
  const hinted = path.rest[0] && /^[A-Za-z0-9]{1,32}$/.test(path.rest[0]) ? await findTransfer(path.rest[0], deps.db).catch(() => undefined) : undefined;
  const configKey = hinted?.config_key ?? provider.capabilities.transferConfigKey ?? "transfer";
  // Verification comes first: nothing of an unverified message is read into state.
  const verifyAndJudge = async (message: RawNotification, merchant: MerchantConfig): Promise<TransferVerdict> => {
    let event: NormalizedEvent;
    try {
      event = await provider.verifyNotify(message, merchant, deps.runtime);
    } catch (error) {
      return refusedUnverified(error, deps);
    }
    return judgeVerified(event, provider.name, { configKey, pid: path.pid }, deps);
  };
  let config: MerchantConfig | undefined;
  let verdict: TransferVerdict;
  try {
    config = await resolveMerchant(deps, configPathOf(provider, configKey), path.pid);
    verdict = problem ? { accepted: false, entry: { outcome: "refused", reason: problem } } : await verifyAndJudge(raw, config);
  } catch (error) {
    if (error instanceof VkPayError) verdict = refusedUnverified(error, deps);
    else {
      deps.log(`vk-uni-pay: transfer notification failed: ${(error as Error)?.stack ?? String(error)}`);
      verdict = { accepted: false, ourFault: true, entry: { outcome: "error", reason: (error as Error)?.message?.slice(0, 200) ?? "error" } };
    }
  }
  await logNotification(deps.db, raw, { provider: provider.name, pay_type: `${provider.name}_${configKey}`, ...verdict.entry }, deps.now()).catch(
    (error: unknown) => deps.log(`vk-uni-pay: cannot write the notification log: ${(error as Error)?.message ?? String(error)}`),
  );
  return provider.acknowledge(verdict.accepted, { notification: raw, ...(config ? { config } : {}), ourFault: verdict.ourFault === true });
}

async function judgeVerified(
  event: NormalizedEvent,
  provider: string,
  verifiedWith: { configKey: string; pid?: string },
  deps: Deps,
): Promise<TransferVerdict> {
  if (event.kind === "transfer") return judgeTransferEvent(event, provider, verifiedWith, deps);
  // Verified, but not a transfer: acknowledged so it is not delivered again, and logged.
  return {
    accepted: true,
    entry: { outcome: "ignored", reason: event.kind === "ignored" ? `unhandled event ${event.eventType}` : `a ${event.kind} event at the transfer path` },
  };
}
