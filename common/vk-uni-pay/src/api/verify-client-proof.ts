import { claimPayment, paymentClaimKey } from "../core/payment-claims";
import { ConfigError, failures, ValidationError } from "../core/errors";
import { findOrder, findOrderFor, type Order } from "../core/orders";
import { COLLECTIONS, isPaid } from "../core/repository";
import { respond, type Result } from "../core/result";
import { configPathOf } from "../core/trade-type";
import { resolveMerchant } from "../core/merchants";
import { findProvider, registeredProviders } from "../providers/registry";
import type { ClientProofMethod, PaymentProvider, ProofOrder, TradeState } from "../kernel/contract";
import { applyRefund } from "../notify/pipeline";
import { applyReportedPayment, checkOutTradeNo, optionalObject, orderMerchant, productionDeps, type ApiDeps } from "./shared";

export interface ClientProofParams {
  /** The order the proof pays; absent in a restore, where the provider finds it from the proof. */
  out_trade_no?: string;
  /** The caller's verified uid (routes pass the token's): only that user's orders are found. */
  user_id?: string;
  /** The provider's proof fields (Apple: `transaction_receipt`, `transaction_identifier`, `signed_transaction`). */
  [field: string]: unknown;
}

export interface ClientProofData {
  out_trade_no: string;
  status: TradeState;
  transaction_id?: string;
  total_fee: number;
  /** This call paid the order (false: it had been paid already, by this same proof). */
  applied: boolean;
}

function proofProvider(
  name: string,
  deps: Pick<ApiDeps, "findProvider" | "providerNames">,
): { provider: PaymentProvider; method: ClientProofMethod } | undefined {
  for (const providerName of deps.providerNames()) {
    const provider = deps.findProvider(providerName);
    const method = provider?.capabilities.clientProof?.find((entry) => entry.name === name);
    if (provider?.verifyClientProof && method) return { provider, method };
  }
  return undefined;
}

function proofOrderOf(order: Order): ProofOrder {
  return { outTradeNo: order.out_trade_no, totalFee: order.total_fee, status: order.status, orderFields: order.provider_fields ?? {} };
}

const FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * A payment the client proves (vk-pay.md §1.7, Apple's signed transaction or receipt): the provider verifies
 * the proof and binds it to the caller's own order, the provider's payment id is claimed by that order once,
 * and the payment is applied through the same exactly-once path as a notification (hook included).
 */
export async function proveClientPayment(name: string, params: ClientProofParams, deps: ApiDeps): Promise<ClientProofData> {
  const found = proofProvider(name, deps);
  if (!found) throw new ConfigError("client-proof-unavailable", `${name.slice(0, 64)} 暂不可用`);
  const { provider, method } = found;
  const { out_trade_no: outTradeNoInput, user_id: userId, ...fields } = optionalObject(params, "params") ?? {};
  if (userId !== undefined && typeof userId !== "string") throw new ValidationError(-1, "user_id-invalid", "user_id必须是字符串");
  const named =
    outTradeNoInput === undefined || outTradeNoInput === ""
      ? undefined
      : await findOrderFor(checkOutTradeNo(outTradeNoInput), userId as string | undefined, deps.db);
  if (outTradeNoInput !== undefined && outTradeNoInput !== "" && (!named || named.provider !== provider.name)) throw failures.orderNotFound();
  const merchant = named ? await orderMerchant(named, deps) : { mode: method.mode, config: await resolveMerchant(deps, configPathOf(provider, method.mode)) };
  const lookup = async (field: string, value: string): Promise<ProofOrder | undefined> => {
    if (!FIELD_NAME.test(field)) return undefined;
    // `payment_claim` names the order that already claimed that provider payment id (a restore of a paid purchase).
    const match = field === "payment_claim" ? { payment_claim: paymentClaimKey(provider.name, value) } : { [`provider_fields.${field}`]: value };
    const where: Record<string, unknown> = { provider: provider.name, ...match };
    if (userId !== undefined) where.user_id = userId;
    const { data } = await deps.db.collection(COLLECTIONS.orders).where(where).limit(1).get();
    return data[0] ? proofOrderOf(data[0] as Order) : undefined;
  };
  const proven = await provider.verifyClientProof!(
    { mode: merchant.mode, config: merchant.config, ...(named ? { order: proofOrderOf(named) } : {}), findOrder: lookup, proof: fields },
    deps.runtime,
  );
  // The provider bound the proof to an order; it must be one the caller may act on, of this provider.
  const order = await findOrderFor(proven.outTradeNo, userId as string | undefined, deps.db);
  if (!order || order.provider !== provider.name || (named && named._id !== order._id)) throw failures.orderNotFound();
  if (proven.totalFee !== undefined && proven.totalFee !== order.total_fee) {
    throw new ValidationError(
      1016,
      "client-proof-amount",
      "ios内购凭据校验不通过",
      `proof pays ${proven.totalFee}, order ${order.out_trade_no} is ${order.total_fee}`,
    );
  }
  await claimPayment(order, paymentClaimKey(provider.name, proven.claimKey), deps.db);
  // Claimed by this order now or by an earlier attempt that stopped before paying: either way it pays once here.
  if (!isPaid(order.status)) await applyReportedPayment(order, proven, deps);
  // Refunds announced before this proof: settled now that the order is paid (each once, by its refund number).
  for (const refund of proven.refunds ?? []) {
    const paid = await findOrder(order.out_trade_no, deps.db);
    if (!paid || !isPaid(paid.status) || refund.outTradeNo !== paid.out_trade_no) continue;
    const { entry } = await applyRefund(paid, { kind: "refund", ...refund }, deps);
    deps.log(`vk-uni-pay: ${name} refund ${refund.outRefundNo} announced before the proof: ${entry.outcome}${entry.reason ? ` (${entry.reason})` : ""}`);
  }
  const current = (await findOrder(order.out_trade_no, deps.db)) ?? order;
  const applied = !isPaid(order.status) && isPaid(current.status);
  return {
    out_trade_no: current.out_trade_no,
    status: current.status,
    ...(current.transaction_id ? { transaction_id: current.transaction_id } : {}),
    total_fee: current.total_fee,
    applied,
  };
}

/** `vkPay.verifyClientProof(name, params)`: the provider offering the proof `name` (`appleiap.verifyReceipt`) answers. */
export function verifyClientProof(name: string, params: ClientProofParams, deps: ApiDeps = productionDeps()): Promise<Result<ClientProofData>> {
  return respond(name, () => proveClientPayment(name, params, deps), deps.log);
}

/** Every registered provider's client proofs, by the public route a logged-in client calls. */
export function clientProofRoutes(
  deps: Pick<ApiDeps, "findProvider" | "providerNames"> = { findProvider, providerNames: registeredProviders },
): Array<{ route: string; name: string; provider: string }> {
  return deps
    .providerNames()
    .flatMap((providerName) =>
      (deps.findProvider(providerName)?.capabilities.clientProof ?? []).map((entry) => ({ route: entry.route, name: entry.name, provider: providerName })),
    );
}
