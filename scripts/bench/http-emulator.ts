/**
 * One emulator process for the HTTP bench (http-throughput.ts): serves a space and a database file on a
 * loopback port, prints its URL, and serves until its parent kills it. Several of these share one file,
 * as several cloud instances of vk-pay share one database.
 */
import { createEmulator } from "../uni-cloud-mock/src";

async function main(): Promise<void> {
  const [spaceDir, dataDir, databaseFile, port] = process.argv.slice(2);
  // The uni-pay config reads PORT for its notify URL.
  process.env.PORT = port;
  const emulator = createEmulator({ spaceDir: spaceDir!, dataDir: dataDir!, databaseFile, port: Number(port), timers: false, log: () => undefined });
  process.stdout.write(`${await emulator.listen()}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
