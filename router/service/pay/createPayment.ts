import { randomInt } from "node:crypto";
import { database } from "../../database";
import { resolveOrderType } from "../../order-types";
import { failure } from "../../replies";
import type { RouteReply, RouteRequest } from "../../types";
import type { CreateHookInput } from "vk-uni-pay";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

const TYPE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `RECHARGE20261125183001` + 6 random digits: unique enough, readable, within every provider's 32 chars. */
function generateOutTradeNo(type: string, now: Date): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, "").slice(0, 14);
  return `${type.replace(/[^A-Za-z]/g, "").slice(0, 8).toUpperCase() || "VK"}${beijing}${String(randomInt(0, 1_000_000)).padStart(6, "0")}`;
}

function isRefusal(error: unknown): error is { code: number; message: string; errCode: string } {
  const candidate = error as { kind?: unknown; code?: unknown; errCode?: unknown };
  return candidate?.kind === "validation" && typeof candidate.code === "number" && typeof candidate.errCode === "string";
}

/**
 * A client's payment: the order type's `create` hook prices it from the server's own data (the
 * client's `total_fee`, when sent, must agree), the user is the token's, and the library does the rest.
 */
export async function main({ data, uid, context }: RouteRequest): Promise<RouteReply> {
  const type = data.type;
  if (typeof type !== "string" || !TYPE_NAME.test(type)) return failure(1002, "type-invalid", "type必须是string类型，且不能为空，如设置为goods代表商品订单");
  if (typeof data.provider !== "string" || !data.provider) return failure(1005, "provider-invalid", "provider必须是string类型，且不能为空");
  const hooks = resolveOrderType(type);
  if (!hooks || typeof hooks === "function" || !hooks.create) return failure(1002, "type-not-creatable", `订单类型 ${type} 不支持客户端下单`);

  const vkPay = loadVkPay();
  const users = await database().collection<{ _id: string }>("uni-id-users").doc(uid!).get();
  const user = users.data[0];
  if (!user) return failure(-1, "user-not-found", "用户不存在");
  let terms;
  try {
    terms = await hooks.create({ user, input: data, db: database() as unknown as CreateHookInput["db"], config: vkPay.orderTypeConfig(type) });
  } catch (error) {
    if (isRefusal(error)) return failure(error.code, error.errCode.replace(/^vk-pay-/, ""), error.message);
    throw error;
  }
  if (!vkPay.isFen(terms.total_fee)) throw new Error(`order type ${type} priced the order at ${String(terms.total_fee)}`);
  if (data.total_fee !== undefined && data.total_fee !== terms.total_fee) return failure(1003, "total-fee-mismatch", "订单金额与服务器计算的金额不一致，请刷新后重试");

  const outTradeNo = data.out_trade_no === undefined ? generateOutTradeNo(type, new Date()) : data.out_trade_no;
  return vkPay.createPayment({
    context,
    provider: data.provider,
    isPC: data.isPC === true,
    needQRcode: data.needQRcode === "image" ? "image" : data.needQRcode === true,
    data: {
      out_trade_no: outTradeNo as string,
      total_fee: terms.total_fee,
      subject: terms.subject,
      type,
      user_id: uid,
      openid: typeof data.openid === "string" ? data.openid : undefined,
      custom: terms.custom ?? {},
      other: data.other as Record<string, unknown> | undefined,
    },
  });
}
