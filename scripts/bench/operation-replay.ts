import type { CloudDatabase } from "../uni-cloud-mock/src/database";

/**
 * The v3 pipeline's database operations with no vk-pay code around them: what settling one notification
 * asks of the emulator, in the same order and with the same documents, taken from a notification the
 * pipeline itself settled. Read against storage floor (b), which does the same work in plain SQL, it is
 * the document layer's share of the pipeline's gap; the pipeline minus its crypto and this replay is
 * vk-pay's own code.
 */

const ORDERS = "vk-pay-orders";
const USERS = "uni-id-users";
const LEDGER = "vk-pay-balance-log";
const NOTIFY_LOG = "vk-pay-notify-log";

type Fields = Record<string, unknown>;

/** The documents one settled notification wrote, as the replay writes them again for other orders. */
export interface SettleWrites {
  /** The fields the payment and the hook's marker changed on the order. */
  paid: Fields;
  /** The recharge hook's ledger row. */
  ledger: Fields;
  /** The notification's log row, raw headers and body included. */
  log: Fields;
}

async function only(db: CloudDatabase, collection: string, where: Fields): Promise<Fields> {
  const { data } = await db.collection(collection).where(where).limit(2).get();
  if (data.length !== 1) throw new Error(`operation replay: expected one ${collection} row for ${JSON.stringify(where)}, found ${data.length}`);
  const { _id, ...fields } = data[0]!;
  return fields;
}

/** What the pipeline wrote for `outTradeNo`, given the order as it was before the pipeline paid it. */
export async function captureSettleWrites(db: CloudDatabase, outTradeNo: string, unpaid: Fields): Promise<SettleWrites> {
  const order = await only(db, ORDERS, { out_trade_no: outTradeNo });
  const paid = Object.fromEntries(Object.entries(order).filter(([key, value]) => JSON.stringify(unpaid[key]) !== JSON.stringify(value)));
  return { paid, ledger: await only(db, LEDGER, { out_trade_no: outTradeNo }), log: await only(db, NOTIFY_LOG, { out_trade_no: outTradeNo }) };
}

/** The settle of `outTradeNo` (an unpaid recharge order) replayed: one standalone read, then one transaction. */
export async function replaySettle(db: CloudDatabase, outTradeNo: string, writes: SettleWrites): Promise<void> {
  const { data } = await db.collection(ORDERS).where({ out_trade_no: outTradeNo }).limit(1).get();
  const found = data[0];
  if (!found) throw new Error(`operation replay: no order ${outTradeNo}`);
  const transaction = await db.startTransaction();
  try {
    const order = (
      await transaction
        .collection(ORDERS)
        .doc(found._id as string)
        .get()
    ).data as Fields;
    const userId = order.user_id as string;
    const user = (await transaction.collection(USERS).doc(userId).get()).data as { balance: number };
    await transaction
      .collection(USERS)
      .doc(userId)
      .update({ balance: user.balance + (order.total_fee as number) });
    // The ledger's idempotency key is unique: one per replayed order, of about the captured length.
    await transaction.collection(LEDGER).add({ ...writes.ledger, out_trade_no: outTradeNo, idempotency_key: `replay:${outTradeNo}` });
    await transaction
      .collection(ORDERS)
      .doc(found._id as string)
      .update(writes.paid);
    await transaction.collection(NOTIFY_LOG).add({ ...writes.log, out_trade_no: outTradeNo });
    await transaction.commit();
  } catch (error) {
    if (transaction.isOpen) await transaction.rollback();
    throw error;
  }
}
