/**
 * One of several processes incrementing one counter by read-modify-write transactions, in the overlap
 * fault mode (run by write-conflicts.test.ts with UNICLOUD_WRITE_CONFLICTS=overlap in its environment).
 * A WriteConflict is retried, as uniCloud code must; it reports how many increments committed and how
 * many attempts conflicted.
 */
import { createDatabase } from "../../../scripts/uni-cloud-mock/src/database";

async function main(): Promise<void> {
  const [file, rounds] = [process.argv[2]!, Number(process.argv[4])];
  const db = createDatabase({ file });
  let done = 0;
  let conflicts = 0;
  while (done < rounds) {
    const transaction = await db.startTransaction();
    try {
      const { data } = await transaction.collection("acc").doc("counter").get();
      // A pause with the transaction open, as a hook's work would take: the others ask meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 2));
      await transaction
        .collection("acc")
        .doc("counter")
        .update({ n: (data as { n: number }).n + 1 });
      await transaction.commit();
      done += 1;
    } catch (error) {
      if ((error as { errCode?: string }).errCode !== "WRITE_CONFLICT") throw error;
      conflicts += 1;
      await transaction.rollback().catch(() => undefined);
    }
  }
  await db.close();
  process.stdout.write(`${JSON.stringify({ done, conflicts })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
