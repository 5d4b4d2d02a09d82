import { fenToYuan, isFen, single, ValidationError, type CreateHookInput, type HookContext, type OrderTypeHooks, type RefundFacts } from "vk-uni-pay";

/**
 * Recharge: the user pays `total_fee` and is credited that plus any bonus (orderTypes.recharge:
 * `{ min, max, bonus: [{ min, bonus }] }`, amounts in fen). The credit and its balance-log row commit
 * with the order's done marker; the log's unique idempotency key refuses a second credit outright.
 */
interface RechargeConfig {
  min?: number;
  max?: number;
  bonus?: Array<{ min: number; bonus: number }>;
}

interface UserRow {
  balance?: number;
}

function bonusFor(amount: number, table: RechargeConfig["bonus"]): number {
  let bonus = 0;
  for (const tier of table ?? []) if (isFen(tier.min) && Number.isSafeInteger(tier.bonus) && amount >= tier.min) bonus = Math.max(bonus, tier.bonus);
  return bonus;
}

function creditOf(order: HookContext["order"]): number {
  const credit = (order.custom as { recharge_balance?: unknown } | undefined)?.recharge_balance;
  return Number.isSafeInteger(credit) && (credit as number) > 0 ? (credit as number) : order.total_fee;
}

/** The part of the credit a refund of `refundFee` takes back, rounded down in the user's favour. */
function shareOf(order: HookContext["order"], refundFee: number): number {
  return Math.floor((creditOf(order) * refundFee) / order.total_fee);
}

async function adjustBalance(context: HookContext, delta: number, type: string, key: string): Promise<void> {
  const userId = context.order.user_id;
  if (!userId) throw new Error("recharge order without a user");
  const users = context.db.collection("uni-id-users");
  const user = single<UserRow>(await users.doc(userId).get());
  if (!user) throw new Error(`user ${userId} not found`);
  const before = Number.isSafeInteger(user.balance) ? (user.balance as number) : 0;
  await users.doc(userId).update({ balance: before + delta });
  await context.db.collection("vk-pay-balance-log").add({
    user_id: userId,
    out_trade_no: context.order.out_trade_no,
    amount: delta,
    balance_before: before,
    balance_after: before + delta,
    type,
    idempotency_key: key,
    create_date: context.now,
  });
}

const recharge: OrderTypeHooks = {
  create({ input, config }: CreateHookInput) {
    const { min = 1, max = 5_000_000, bonus } = config as RechargeConfig;
    const amount = input.total_fee;
    if (!isFen(amount) || amount < min || amount > max) {
      throw new ValidationError(1003, "recharge-amount-invalid", `充值金额须在${fenToYuan(min)}元到${fenToYuan(max)}元之间`);
    }
    const credit = amount + bonusFor(amount, bonus);
    return { total_fee: amount, subject: `账户充值${fenToYuan(amount)}元`, custom: { recharge_balance: credit } };
  },

  async paid(context) {
    await adjustBalance(context, creditOf(context.order), "recharge", context.idempotencyKey);
  },

  /** A refund is refused while the user's balance cannot give back the refunded share, unless an admin forces it. */
  async beforeRefund({ order, refund_fee, force, db }) {
    if (force) return;
    const share = shareOf(order, refund_fee);
    const user = single<UserRow>(
      await db
        .collection("uni-id-users")
        .doc(order.user_id ?? "")
        .get(),
    );
    const balance = Number.isSafeInteger(user?.balance) ? (user!.balance as number) : 0;
    if (balance < share) throw new ValidationError(2010, "balance-insufficient", `用户余额不足以扣回${fenToYuan(share)}元，如需强制退款请使用 force`);
  },

  /** Takes back the refunded share of the credit (the balance may go negative only when an admin forced the refund). */
  async refunded(context: HookContext & { refund: RefundFacts }) {
    const share = shareOf(context.order, context.refund.refund_fee);
    const user = single<UserRow>(await context.db.collection("uni-id-users").doc(context.order.user_id!).get());
    const balance = Number.isSafeInteger(user?.balance) ? (user!.balance as number) : 0;
    if (balance < share && !context.refund.force) return false;
    await adjustBalance(context, -share, "refund", context.idempotencyKey);
  },

  /** The provider took the refund back (Apple REFUND_REVERSED): the share `refunded` took is credited again. */
  async refundReversed(context: HookContext & { refund: RefundFacts }) {
    await adjustBalance(context, shareOf(context.order, context.refund.refund_fee), "refund_reversed", context.idempotencyKey);
  },
};

export = recharge;
