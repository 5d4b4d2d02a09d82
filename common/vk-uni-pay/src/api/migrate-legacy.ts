import { COLLECTIONS, isLegacyStatus, LEGACY_STATUSES, orderStatusOf } from "../core/repository";
import { inTransaction, single, type Database, type Doc } from "../core/database";
import type { OrderStatus } from "../core/orders";
import type { RefundRecord } from "../core/refunds";
import { respond, type Result } from "../core/result";
import { registeredProviders } from "../providers/registry";
import { productionDeps, type ApiDeps } from "./shared";

/**
 * Moving a vk-uni-pay project's `vk-pay-orders` into this library's shape without losing anything
 * (reference/vk-pay.md §4.1): the numeric status becomes its string, the `provider` is read from `pay_type`
 * (`<provider>_<mode>`, longest registered name first, so `wxpay-virtual_…` is not `wxpay`), and every
 * `refund_list` entry becomes a settled refund in `vk-pay-refunds`, so a later refund counts against the
 * ceiling what was already refunded. An order whose refunds do not add up is left untouched and reported:
 * money figures are never guessed. Only orders still carrying a number are read, so a second run changes nothing.
 */

const BATCH = 100;

export interface LegacyRefundEntry {
  refund_date?: number;
  refund_fee?: number;
  out_refund_no?: string;
  refund_desc?: string;
}

export interface MigrationChange {
  out_trade_no: string;
  from: number;
  to: OrderStatus;
  provider: string;
  /** Refund ledger entries this order gets. */
  refunds: number;
}

export interface MigrationReport {
  dry_run: boolean;
  /** Orders found with a numeric status. */
  scanned: number;
  /** Rewritten (or, in a dry run, that would be). */
  migrated: number;
  refunds_added: number;
  changes: MigrationChange[];
  /** Orders left as they are, with the reason (amounts that do not add up, an unknown provider). */
  problems: Array<{ out_trade_no: string; reason: string }>;
}

interface Plan {
  change: MigrationChange;
  update: Record<string, unknown>;
  refunds: RefundRecord[];
}

function providerOf(payType: unknown, explicit: unknown): string | undefined {
  if (typeof explicit === "string" && registeredProviders().includes(explicit)) return explicit;
  if (typeof payType !== "string") return undefined;
  const names = [...registeredProviders()].sort((a, b) => b.length - a.length);
  return names.find((name) => payType === name || payType.startsWith(`${name}_`));
}

/** The order's rewrite, or the reason it cannot be rewritten safely. */
export function planMigration(doc: Doc): Plan | string {
  const from = doc.status as number;
  const to = orderStatusOf(from)!;
  const provider = providerOf(doc.pay_type, doc.provider);
  if (!provider) return `pay_type ${String(doc.pay_type)} names no registered provider`;
  const totalFee = doc.total_fee;
  if (typeof totalFee !== "number" || !Number.isInteger(totalFee) || totalFee < 0) return "total_fee is not an amount in fen";
  const list = (Array.isArray(doc.refund_list) ? doc.refund_list : []) as LegacyRefundEntry[];
  const refundFee = typeof doc.refund_fee === "number" ? doc.refund_fee : 0;
  const listed = list.reduce((sum, entry) => sum + (typeof entry.refund_fee === "number" ? entry.refund_fee : NaN), 0);
  if (!Number.isInteger(listed) || list.some((entry) => !(Number(entry.refund_fee) > 0))) return "a refund_list entry has no positive refund_fee";
  if (listed !== refundFee) return `refund_list adds up to ${listed} fen, refund_fee says ${refundFee}`;
  if (refundFee > totalFee) return `refund_fee ${refundFee} exceeds total_fee ${totalFee}`;
  if (from === 2 && !(refundFee > 0 && refundFee < totalFee)) return `status 2 (partly refunded) with refund_fee ${refundFee} of ${totalFee}`;
  if (from === 3 && refundFee !== totalFee) return `status 3 (fully refunded) with refund_fee ${refundFee} of ${totalFee}`;
  if (from <= 1 && refundFee > 0) return `status ${from} with refund_fee ${refundFee}`;
  const outTradeNo = String(doc.out_trade_no);
  const numbers = list.map((entry, index) => entry.out_refund_no || `${outTradeNo}-${index + 1}`);
  if (new Set(numbers).size !== numbers.length) return "refund_list repeats an out_refund_no";
  const refunds: RefundRecord[] = list.map((entry, index) => ({
    _id: numbers[index],
    order_id: doc._id,
    out_trade_no: outTradeNo,
    out_refund_no: numbers[index],
    refund_fee: entry.refund_fee!,
    refund_desc: entry.refund_desc ?? "",
    status: "SUCCESS",
    create_date: entry.refund_date ?? 0,
    settle_date: entry.refund_date ?? 0,
  }));
  const update: Record<string, unknown> = {
    status: to,
    provider,
    refund_fee: refundFee,
    refund_reserved: refundFee,
    refund_num: Math.max(typeof doc.refund_num === "number" ? doc.refund_num : 0, list.length),
    refund_list: list.map((entry, index) => ({
      refund_date: entry.refund_date ?? 0,
      refund_fee: entry.refund_fee,
      out_refund_no: numbers[index],
      refund_desc: entry.refund_desc ?? "",
    })),
    migrated_from: { plugin: "vk-uni-pay", status: from },
  };
  return { change: { out_trade_no: outTradeNo, from, to, provider, refunds: refunds.length }, update, refunds };
}

/** Writes one order's plan: its refunds and the rewritten order together, only if it still carries the number planned from. */
async function apply(doc: Doc, plan: Plan, db: Database): Promise<string | undefined> {
  return inTransaction(db, async (transaction) => {
    const current = single(await transaction.collection(COLLECTIONS.orders).doc(doc._id).get());
    if (!current || current.status !== doc.status) return "changed while migrating; run again";
    for (const refund of plan.refunds) {
      const existing = single(await transaction.collection(COLLECTIONS.refunds).doc(refund._id).get()) as unknown as RefundRecord | undefined;
      if (existing && (existing.order_id !== refund.order_id || existing.refund_fee !== refund.refund_fee)) {
        return `refund ${refund._id} already exists for another order or amount`;
      }
      if (!existing) await transaction.collection(COLLECTIONS.refunds).add({ ...refund });
    }
    await transaction.collection(COLLECTIONS.orders).doc(doc._id).update(plan.update);
    return undefined;
  });
}

async function migrate(params: { dry_run?: boolean }, deps: ApiDeps): Promise<MigrationReport> {
  const dryRun = params?.dry_run !== false;
  const report: MigrationReport = { dry_run: dryRun, scanned: 0, migrated: 0, refunds_added: 0, changes: [], problems: [] };
  const _ = deps.db.command;
  const legacy = Object.keys(LEGACY_STATUSES).map(Number);
  // Orders left as they are (a dry run leaves all) stay in the query, so they are skipped past.
  let skip = 0;
  for (;;) {
    const { data } = await deps.db
      .collection(COLLECTIONS.orders)
      .where({ status: _.in(legacy) })
      .orderBy("_id", "asc")
      .skip(skip)
      .limit(BATCH)
      .get();
    if (data.length === 0) break;
    for (const doc of data) {
      if (!isLegacyStatus(doc.status)) continue;
      report.scanned++;
      const plan = planMigration(doc);
      const problem = typeof plan === "string" ? plan : dryRun ? undefined : await apply(doc, plan, deps.db);
      if (typeof plan === "string" || problem) {
        report.problems.push({ out_trade_no: String(doc.out_trade_no), reason: (problem ?? plan) as string });
        skip++;
        continue;
      }
      if (dryRun) skip++;
      report.migrated++;
      report.refunds_added += plan.refunds.length;
      report.changes.push(plan.change);
    }
  }
  deps.log(
    `vk-uni-pay migrateLegacyOrders: ${dryRun ? "dry run, " : ""}${report.migrated} of ${report.scanned} orders, ${report.problems.length} left as they are`,
  );
  return report;
}

/**
 * `vkPay.migrateLegacyOrders({ dry_run })`: rewrites vk-uni-pay's orders into this library's shape. A dry
 * run (the default; pass `dry_run: false` to write) reports what would change and writes nothing.
 */
export function migrateLegacyOrders(params: { dry_run?: boolean } = {}, deps: ApiDeps = productionDeps()): Promise<Result<MigrationReport>> {
  return respond("migrateLegacyOrders", () => migrate(params, deps), deps.log);
}
