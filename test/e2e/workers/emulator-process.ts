/**
 * One emulator process of several sharing a space and a database file (multi-process.test.ts): prints
 * its URL, then serves until killed. With `--sandbox` it also hosts the WeChat Pay sandbox.
 */
import { createWxpaySandbox } from "../../../scripts/sandbox/wxpay";
import { createEmulator } from "../../../scripts/uni-cloud-mock/src";

async function main(): Promise<void> {
  const [spaceDir, dataDir, databaseFile, port, flag] = process.argv.slice(2);
  process.env.PORT = port;
  const emulator = createEmulator({ spaceDir: spaceDir!, dataDir: dataDir!, databaseFile, port: Number(port), timers: false, log: () => undefined });
  if (flag === "--sandbox") {
    const wxpay = await createWxpaySandbox({ dataDir: dataDir!, persist: false, refundAutoSettleMs: false, log: () => undefined });
    emulator.mount("/__sandbox/wxpay", wxpay.handler);
  }
  const url = await emulator.listen();
  process.stdout.write(`${url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
