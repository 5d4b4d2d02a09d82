/**
 * One of several processes sharing one database file (run by multi-process.test.ts). It races the
 * others on conditional state changes, atomic counters and read-modify-write transactions, and
 * measures how long its own event loop was ever blocked meanwhile.
 */
import { createDatabase } from "../../../scripts/uni-cloud-mock/src/database";

async function main(): Promise<void> {
  const [file, worker, rounds] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4])];
  const db = createDatabase({ file });
  const _ = db.command;
  let maxLagMs = 0;
  let last = Date.now();
  const monitor = setInterval(() => {
    const now = Date.now();
    maxLagMs = Math.max(maxLagMs, now - last - 5);
    last = now;
  }, 5);

  const won: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    // Exactly-once state change: only one process may move each order from NOTPAY to SUCCESS.
    const claim = await db
      .collection("orders")
      .where({ _id: `order-${round}`, status: _.in(["NOTPAY", "USERPAYING"]) })
      .update({ status: "SUCCESS", paid_by: worker });
    if (claim.updated === 1) won.push(`order-${round}`);
    // Atomic counter: every increment must land.
    await db
      .collection("counters")
      .doc("hits")
      .update({ value: _.inc(1) });
    // Read-modify-write inside a transaction: serialised across processes, so no lost update.
    const transaction = await db.startTransaction();
    const { data } = await transaction.collection("counters").doc("ledger").get();
    const current = (data as { value: number }).value;
    await transaction
      .collection("counters")
      .doc("ledger")
      .update({ value: current + 1 });
    await transaction.commit();
  }

  clearInterval(monitor);
  await db.close();
  process.stdout.write(`${JSON.stringify({ worker, won, maxLagMs })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
