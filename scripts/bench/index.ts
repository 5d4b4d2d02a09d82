import { ensureBuilt } from "../build";
import { benchAlipaySpeed } from "./alipay-speed";
import { benchColdStart } from "./cold-start";
import { benchCreatePayment } from "./create-payment";
import { benchHttpThroughput } from "./http-throughput";
import { benchIndexedLookup } from "./indexed-lookup";
import { benchNotifyPipeline } from "./notify-pipeline";
import { benchStorageFloor } from "./storage-floor";
import { benchWechatSpeed } from "./wechat-speed";
import { printTable, type BenchRow } from "./table";

/** `npm run bench`: SPEC §11's targets as ratios and bounds measured in one run. */
async function main(): Promise<void> {
  await ensureBuilt();
  const rows: BenchRow[] = [
    ...benchColdStart(),
    ...(await benchIndexedLookup()),
    ...(await benchNotifyPipeline(await benchStorageFloor())),
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
