import { ensureBuilt } from "../build";
import { benchAlipaySpeed } from "./alipay-speed";
import { benchColdStart } from "./cold-start";
import { benchCreatePayment } from "./create-payment";
import { benchHttpThroughput } from "./http-throughput";
import { benchIndexedLookup } from "./indexed-lookup";
import { benchNotifyPipeline } from "./notify-pipeline";
import { benchProviderNotify } from "./provider-notify";
import { benchStorageFloor } from "./storage-floor";
import { benchWechatSpeed } from "./wechat-speed";
import { printTable, type BenchRow } from "./table";

/** `npm run bench`: SPEC §11's targets as ratios and bounds measured in one run. */
async function main(): Promise<void> {
  await ensureBuilt();
  // One storage floor for every notification row of the run.
  const floor = await benchStorageFloor();
  let notificationRows: BenchRow[];
  let firstRows: BenchRow[];
  try {
    firstRows = [...benchColdStart(), ...(await benchIndexedLookup())];
    notificationRows = [...(await benchNotifyPipeline(floor)), ...(await benchProviderNotify(floor))];
  } finally {
    floor.close();
  }
  const rows: BenchRow[] = [
    ...firstRows,
    ...notificationRows,
    ...benchWechatSpeed(),
    ...benchAlipaySpeed(),
    ...(await benchCreatePayment()),
    ...(await benchHttpThroughput()),
  ];
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
