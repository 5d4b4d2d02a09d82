import { ControlError, text, wholeNumber, type ControlAction } from "../control-api";
import { fetchTransport } from "../delivery";
import { notificationPayload, type AppleSandboxStore, type SandboxEnvironment } from "./store";

/**
 * The Apple sandbox's control API (SPEC §9), what a tester does on a device or in App Store Connect:
 * `pay` buys a product (the app then holds a signed transaction and a receipt), `refund` is Apple granting
 * the buyer's refund request (full, or prorated in milliunits) and sends REFUND, `notify` sends any other
 * Server Notification V2 (REVOKE, REFUND_DECLINED, CONSUMPTION_REQUEST, DID_RENEW, TEST…), `redeliver`
 * sends the last one again. Apple sends notifications to the URL set in App Store Connect; here each
 * call names it (`notifyUrl`), defaulting to the one `npm start` serves.
 */

export interface AppleControlContext {
  store: AppleSandboxStore;
  /** Read when a notification is sent (npm start's port is known only once it listens). */
  defaultNotifyUrl?: () => string;
  transport: typeof fetchTransport;
  last?: { url: string; body: string };
  /** Apple's price of each product, in milliunits of CNY (what the generated config sells it for, times ten). */
  prices: Readonly<Record<string, number>>;
}

async function send(ctx: AppleControlContext, url: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ signedPayload: ctx.store.sign(payload) });
  ctx.last = { url, body };
  const reply = await ctx.transport(url, { headers: { "content-type": "application/json" }, body });
  return { notification_type: payload.notificationType, reply_status: reply.status };
}

function notifyUrl(ctx: AppleControlContext, body: Record<string, unknown>): string {
  const url = text(body, "notifyUrl", false, 2048) ?? ctx.defaultNotifyUrl?.();
  if (!url) throw new ControlError(400, "notifyUrl is required");
  return url;
}

function environmentOf(body: Record<string, unknown>): SandboxEnvironment {
  const value = body.environment ?? "Sandbox";
  if (value !== "Sandbox" && value !== "Production") throw new ControlError(400, "environment must be Sandbox or Production");
  return value;
}

export const APPLE_CONTROL_ACTIONS: Record<string, ControlAction<AppleControlContext>> = {
  pay: (ctx, body) => {
    const productId = text(body, "productId", true);
    // A product the sandbox does not list may be bought at a price the tester names (milliunits), as App Store Connect would set it.
    const price = body.price === undefined ? ctx.prices[productId] : wholeNumber(body, "price", 1e9);
    if (price === undefined) throw new ControlError(404, `no product ${productId}`);
    const quantity = body.quantity === undefined ? 1 : wholeNumber(body, "quantity", 10);
    const bought = ctx.store.purchase({
      productId,
      quantity,
      price: price * quantity,
      appAccountToken: text(body, "appAccountToken", false),
      environment: environmentOf(body),
      type: text(body, "type", false) ?? "Consumable",
      familyShared: body.familyShared === true,
    });
    return { transaction_id: bought.transaction.transactionId, signed_transaction: bought.signedTransaction, receipt: bought.receipt };
  },
  refund: async (ctx, body) => {
    const transactionId = text(body, "transactionId", true);
    if (!ctx.store.transaction(transactionId)) throw new ControlError(404, `no transaction ${transactionId}`);
    const percentage = body.percentage === undefined ? undefined : wholeNumber(body, "percentage", 100_000);
    const transaction = ctx.store.revoke(transactionId, { type: percentage === undefined ? "REFUND_FULL" : "REFUND_PRORATED", percentage, reason: 0 });
    return send(ctx, notifyUrl(ctx, body), notificationPayload("REFUND", transaction, ctx.store));
  },
  notify: async (ctx, body) => {
    // SPEC §9 names the field `notificationType`, as Apple's payload does; `type` is accepted too.
    const type = text(body, body.notificationType !== undefined ? "notificationType" : "type", true, 64);
    const id = text(body, "transactionId", false);
    const transaction = id ? ctx.store.transaction(id) : undefined;
    if (id && !transaction) throw new ControlError(404, `no transaction ${id}`);
    if (type === "REVOKE" && transaction) ctx.store.revoke(transaction.transactionId, { type: "FAMILY_REVOKE", reason: 0 });
    if (type === "REFUND_REVERSED" && transaction) ctx.store.reinstate(transaction.transactionId);
    const extra = type === "CONSUMPTION_REQUEST" ? { consumptionRequestReason: text(body, "reason", false) ?? "UNINTENDED_PURCHASE" } : {};
    return send(ctx, notifyUrl(ctx, body), notificationPayload(type, transaction, ctx.store, extra));
  },
  /** The app called `finishTransaction`: a finished consumable no longer appears in its receipt. */
  finish: (ctx, body) => {
    const transactionId = text(body, "transactionId", true);
    if (!ctx.store.transaction(transactionId)) throw new ControlError(404, `no transaction ${transactionId}`);
    ctx.store.finish(transactionId);
    return { transaction_id: transactionId };
  },
  redeliver: async (ctx) => {
    if (!ctx.last) throw new ControlError(409, "nothing was sent yet");
    const reply = await ctx.transport(ctx.last.url, { headers: { "content-type": "application/json" }, body: ctx.last.body });
    return { reply_status: reply.status };
  },
};
