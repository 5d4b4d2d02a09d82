import { randomInt } from "node:crypto";
import { single } from "../core/database";
import { failures, ValidationError } from "../core/errors";
import { isFen } from "../core/money";
import { respond, type Result } from "../core/result";
import { create, itemOf, type CreatePaymentData, type PaymentContext } from "./create-payment";
import { orderTypeConfig } from "./order-types";
import { optionalObject, productionDeps, type ApiDeps } from "./shared";

const USERS = "uni-id-users";
const TYPE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface ClientPaymentParams {
  context: PaymentContext;
  /** The caller's verified uid (the router's token), never a field of the client's data. */
  uid: string;
  /** What the client sent: `type`, `provider`, the create hook's own fields, optional `total_fee` (checked), `out_trade_no`, `openid`, `other`, `isPC`, `needQRcode`. */
  data: Record<string, unknown>;
}

/** `RECHARGE20261125183001` + 6 random digits: unique enough, readable, within every provider's 32 characters. */
export function generateOutTradeNo(type: string, nowMs: number): string {
  const beijing = new Date(nowMs + 8 * 3600_000).toISOString().replace(/\D/g, "").slice(0, 14);
  return `${
    type
      .replace(/[^A-Za-z]/g, "")
      .slice(0, 8)
      .toUpperCase() || "VK"
  }${beijing}${String(randomInt(0, 1_000_000)).padStart(6, "0")}`;
}

/**
 * A client's payment (`pay/createPayment`): the order type's `create` hook prices it from the server's own
 * data (the client's `total_fee`, when sent, must agree), the user is the token's, and the order is created
 * as `createPayment` creates any other.
 */
export function createClientPayment(params: ClientPaymentParams, deps: ApiDeps = productionDeps()): Promise<Result<CreatePaymentData>> {
  return respond(
    "createClientPayment",
    async () => {
      const data = optionalObject(params?.data, "data") ?? {};
      const type = data.type;
      if (typeof type !== "string" || !TYPE_NAME.test(type)) throw failures.typeInvalid();
      if (typeof data.provider !== "string" || !data.provider) throw failures.providerInvalid();
      const hooks = deps.hooks?.(type);
      if (!hooks || typeof hooks === "function" || !hooks.create)
        throw new ValidationError(1002, "type-not-creatable", `订单类型 ${type.slice(0, 64)} 不支持客户端下单`);
      const user = single<Record<string, unknown> & { _id: string }>(await deps.db.collection(USERS).doc(params.uid).get());
      if (!user) throw new ValidationError(-1, "user-not-found", "用户不存在");
      const terms = await hooks.create({ user, input: data, db: deps.db, config: orderTypeConfig(type, deps.config()) });
      if (!isFen(terms?.total_fee)) throw new Error(`order type ${type} priced the order at ${String(terms?.total_fee)}`);
      if (data.total_fee !== undefined && data.total_fee !== terms.total_fee)
        throw new ValidationError(1003, "total-fee-mismatch", "订单金额与服务器计算的金额不一致，请刷新后重试");
      return create(
        {
          context: params.context,
          provider: data.provider,
          isPC: data.isPC === true,
          needQRcode: data.needQRcode === "image" ? "image" : data.needQRcode === true,
          data: {
            out_trade_no: (data.out_trade_no === undefined ? generateOutTradeNo(type, deps.now()) : data.out_trade_no) as string,
            total_fee: terms.total_fee,
            subject: terms.subject,
            type,
            user_id: params.uid,
            openid: typeof data.openid === "string" ? data.openid : undefined,
            custom: terms.custom ?? {},
            other: data.other as Record<string, unknown> | undefined,
            // What some providers require of the client (biz_type, a cashier's return_url and channel): never an amount or a user.
            ...(typeof data.biz_type === "string" ? { biz_type: data.biz_type } : {}),
            ...(typeof data.return_url === "string" ? { return_url: data.return_url } : {}),
            ...(typeof data.provider_pay_method === "string" ? { provider_pay_method: data.provider_pay_method } : {}),
            item: itemOf(data, deps.findProvider(data.provider)?.capabilities.itemField) as Record<string, unknown> | undefined,
          },
        },
        deps,
      );
    },
    deps.log,
  );
}
