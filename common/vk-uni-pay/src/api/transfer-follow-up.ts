import { ConfigError, NetworkError, ProviderRejectedError, StateError, ValidationError } from "../core/errors";
import { parseListQuery } from "../core/list-query";
import { COLLECTIONS } from "../core/repository";
import { respond, type Result } from "../core/result";
import { settleTransfer } from "../core/settle-transfer";
import { runTransferHook, type TransferHookOutcome } from "../core/transfer-hook";
import { findTransfer, findTransferByBillNo, isFinalTransferState, transferFailures, unconfirmedTransfers, type TransferRecord } from "../core/transfers";
import type { TransferRef, TransferStatus } from "../kernel/contract";
import { listPage, type ListPage } from "./admin-views";
import { optionalObject, productionDeps, requireProvider, type ApiDeps } from "./shared";
import { checkOutBillNo } from "./transfer-input";
import { transferMerchant } from "./transfer-merchant";
import { transferView, type TransferData } from "./transfer-view";

export interface TransferLookup {
  out_bill_no?: string;
  /** The provider's number (WeChat `transfer_bill_no`, Alipay `order_id`). */
  transfer_bill_no?: string;
  /** vk-uni-pay passes it; the stored transfer says which provider it went to. */
  provider?: string;
}

async function storedTransfer(params: TransferLookup, deps: ApiDeps): Promise<{ record: TransferRecord; byBillNo: boolean }> {
  const outBillNo = params?.out_bill_no;
  const billNo = params?.transfer_bill_no;
  if (outBillNo === undefined && (typeof billNo !== "string" || !/^[A-Za-z0-9]{1,64}$/.test(billNo)))
    throw new ValidationError(1001, "out-bill-no-invalid", "out_bill_no 或 transfer_bill_no 不能为空");
  const record = outBillNo !== undefined ? await findTransfer(checkOutBillNo(outBillNo), deps.db) : await findTransferByBillNo(billNo!, deps.db);
  if (!record || (params.provider !== undefined && params.provider !== record.provider)) throw transferFailures.notFound();
  return { record, byBillNo: outBillNo === undefined };
}

async function refOf(record: TransferRecord, deps: ApiDeps, byBillNo: boolean): Promise<TransferRef> {
  const provider = requireProvider(deps, record.provider);
  const config = await transferMerchant(deps, provider, record.config_key, record.pid);
  return {
    mode: record.config_key,
    config,
    outBillNo: record.out_bill_no,
    ...(byBillNo && record.transfer_bill_no ? { transferBillNo: record.transfer_bill_no } : {}),
    // The sub-merchant it was paid from is asked about, even if the config has since named another.
    ...(record.sub_mchid ? { partner: { subMchId: record.sub_mchid } } : {}),
  };
}

async function applyAnswer(record: TransferRecord, status: TransferStatus, deps: ApiDeps): Promise<TransferData> {
  const settled = await settleTransfer(record, status, { db: deps.db, now: deps.now(), log: deps.log, hooks: deps.hooks });
  if (settled.move === "refused") throw new NetworkError("支付平台返回的转账单与记录不一致，请稍后再试");
  return transferView(settled.record, status.raw);
}

/**
 * Asks the provider where a stored transfer stands and applies the answer (with the `transfer` hook in a
 * final state): what `queryTransfer` and the timer both do.
 */
export async function followUpTransfer(record: TransferRecord, deps: ApiDeps, byBillNo = false): Promise<TransferData> {
  const provider = requireProvider(deps, record.provider);
  // A final transfer cannot change; one the provider refused outright has nothing to ask about.
  if ((isFinalTransferState(record.status) && record.hook_done === true) || !provider.queryTransfer) return transferView(record);
  const status = await provider.queryTransfer(await refOf(record, deps, byBillNo), deps.runtime);
  return applyAnswer(record, status, deps);
}

async function query(params: TransferLookup, deps: ApiDeps): Promise<TransferData> {
  const { record, byBillNo } = await storedTransfer(params, deps);
  return followUpTransfer(record, deps, byBillNo);
}

async function cancel(params: TransferLookup, deps: ApiDeps): Promise<TransferData> {
  const { record } = await storedTransfer(params, deps);
  if (isFinalTransferState(record.status)) throw transferFailures.final(record.status);
  const provider = requireProvider(deps, record.provider);
  if (!provider.cancelTransfer) throw new StateError(4001, "transfer-cancel-unsupported", `${record.provider}的转账不支持撤销`);
  // The cancel was accepted already: where it stands is a query, not a second cancel.
  if (record.status === "CANCELING") return followUpTransfer(record, deps);
  let status: TransferStatus;
  try {
    status = await provider.cancelTransfer(await refOf(record, deps, false), deps.runtime);
  } catch (error) {
    // WeChat refuses to cancel a bill that reached a final state (the payee confirmed, it expired) while
    // the ledger had not heard yet: the query brings the ledger up to date and the caller hears why.
    if (!(error instanceof ProviderRejectedError) || !provider.queryTransfer) throw error;
    const now = await followUpTransfer(record, deps).catch(() => undefined);
    if (now && isFinalTransferState(now.state)) throw transferFailures.final(now.state);
    throw error;
  }
  return applyAnswer(record, status, deps);
}

/** `vkPay.queryTransfer({ out_bill_no | transfer_bill_no })`: the provider's current answer, applied to the ledger. */
export function queryTransfer(params: TransferLookup, deps: ApiDeps = productionDeps()): Promise<Result<TransferData>> {
  return respond("queryTransfer", () => query(params, deps), deps.log);
}

/**
 * `vkPay.cancelTransfer({ out_bill_no })`: any state but SUCCESS, FAIL and CANCELLED may be cancelled;
 * the answer is CANCELING or CANCELLED, and the final CANCELLED comes by notification or query.
 */
export function cancelTransfer(params: TransferLookup, deps: ApiDeps = productionDeps()): Promise<Result<TransferData>> {
  return respond("cancelTransfer", () => cancel(params, deps), deps.log);
}

const TRANSFER_FIELDS = [
  "out_bill_no",
  "transfer_bill_no",
  "provider",
  "status",
  "payee_account",
  "user_id",
  "operator",
  "create_date",
  "transfer_amount",
  "day",
];

/** `admin/transfers`: a page of the ledger (`where`, `orderBy`, `pageIndex`, `pageSize` on the listed fields). */
export function listTransfers(params: Record<string, unknown>, deps: ApiDeps = productionDeps()): Promise<Result<ListPage>> {
  return respond(
    "listTransfers",
    async () => listPage(deps.db, COLLECTIONS.transfers, parseListQuery(optionalObject(params, "data") ?? {}, TRANSFER_FIELDS, "create_date desc")),
    deps.log,
  );
}

/**
 * `pay/transfer/pending`: the caller's own transfers that wait for them, each with the options its client
 * passes to `requestMerchantTransfer`. The user id is the verified caller's, never the client's data.
 */
export function pendingTransfers(params: { user_id?: string }, deps: ApiDeps = productionDeps()): Promise<Result<{ rows: TransferData[] }>> {
  return respond(
    "pendingTransfers",
    async () => {
      const userId = params?.user_id;
      if (typeof userId !== "string" || userId === "") throw new ValidationError(-1, "user-id-missing", "缺少用户身份");
      const rows = await unconfirmedTransfers({ user_id: userId }, deps.db);
      return { rows: rows.map((record) => transferView(record)) };
    },
    deps.log,
  );
}

export interface TransferHookRetryData {
  out_bill_no: string;
  transfer: TransferHookOutcome;
}

/**
 * `admin/hookRetry` with `out_bill_no`: runs the transfer's final-state `transfer` hook now if it has not
 * completed (still at most once to completion), whatever its retry time.
 */
export async function retryTransferHook(outBillNo: unknown, deps: ApiDeps): Promise<TransferHookRetryData> {
  const checked = checkOutBillNo(outBillNo);
  if (!deps.hooks) throw new ConfigError("hooks-unavailable", "只能在 vk-pay 云函数中重新执行转账钩子");
  if (!(await findTransfer(checked, deps.db))) throw transferFailures.notFound();
  return { out_bill_no: checked, transfer: await runTransferHook(checked, deps.hooks, { now: deps.now(), log: deps.log, db: deps.db }) };
}
