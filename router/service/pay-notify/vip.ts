import { single, ValidationError, type CreateHookInput, type HookContext, type OrderTypeHooks, type RefundFacts } from "vk-uni-pay";

/**
 * VIP: plans from `orderTypes.vip.plans` (`{ <vip_type>: { total_fee, days } }`). Payment extends
 * `uni-id-users.vip_expire_date` from max(now, current expiry); a refund shortens it pro rata.
 */
const DAY_MS = 86_400_000;

interface Plan {
  total_fee: number;
  days: number;
}

function membershipMs(order: HookContext["order"]): number {
  const days = Number((order.custom as { days?: unknown } | undefined)?.days);
  return Number.isSafeInteger(days) && days > 0 ? days * DAY_MS : 0;
}

async function expiryOf(context: HookContext): Promise<number> {
  const user = single<{ vip_expire_date?: number }>(await context.db.collection("uni-id-users").doc(context.order.user_id!).get());
  if (!user) throw new Error(`user ${context.order.user_id} not found`);
  return Number.isSafeInteger(user.vip_expire_date) ? (user.vip_expire_date as number) : 0;
}

const vip: OrderTypeHooks = {
  create({ input, config }: CreateHookInput) {
    const vipType = (input.custom as { vip_type?: unknown } | undefined)?.vip_type;
    const plans = (config.plans ?? {}) as Record<string, Plan>;
    const plan = typeof vipType === "string" && Object.prototype.hasOwnProperty.call(plans, vipType) ? plans[vipType] : undefined;
    if (!plan || !Number.isSafeInteger(plan.total_fee) || !Number.isSafeInteger(plan.days)) throw new ValidationError(-1, "vip-plan-invalid", "会员套餐不存在");
    return { total_fee: plan.total_fee, subject: `VIP会员（${vipType}）`, custom: { vip_type: vipType, days: plan.days } };
  },

  async paid(context) {
    const current = await expiryOf(context);
    await context.db
      .collection("uni-id-users")
      .doc(context.order.user_id!)
      .update({ vip_expire_date: Math.max(context.now, current) + membershipMs(context.order) });
  },

  async refunded(context: HookContext & { refund: RefundFacts }) {
    const current = await expiryOf(context);
    const taken = Math.floor((membershipMs(context.order) * context.refund.refund_fee) / context.order.total_fee);
    await context.db
      .collection("uni-id-users")
      .doc(context.order.user_id!)
      .update({ vip_expire_date: Math.max(0, current - taken) });
  },
};

export = vip;
