/**
 * Run in a fresh process by cold-start.ts: loads the emulator (the baseline), then measures the CPU
 * that requiring the built vk-pay bundle and serving its first call adds on top.
 */
import { createHmac } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareRunSpace } from "../local/run-space";
import { createEmulator } from "../uni-cloud-mock/src";
import { DEFAULT_STAND_INS_DIR } from "../uni-cloud-mock/src/emulator";
import { linkFileDependencies } from "../uni-cloud-mock/src/function-loader";

const SECRET = "bench-secret-0123456789abcdef0123456789";

/** A uni-id token minted by hand, so that nothing of the bundle's dependencies is loaded before the measurement. */
function mintToken(uid: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ uid, role: [], permission: [], uniIdVersion: "1.0.19", iat: now, exp: now + 7200 })}`;
  return `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;
}

async function main(): Promise<void> {
  const dataDir = process.argv[2]!;
  mkdirSync(join(dataDir, "uni-config-center/uni-id"), { recursive: true });
  writeFileSync(
    join(dataDir, "uni-config-center/uni-id/config.json"),
    JSON.stringify({ tokenSecret: SECRET, tokenExpiresIn: 7200, tokenExpiresThreshold: 1200 }),
  );
  const spaceDir = prepareRunSpace(dataDir);
  const emulator = createEmulator({ spaceDir, dataDir, databaseFile: ":memory:", timers: false, log: () => undefined });
  const db = emulator.uniCloud.database() as { collection(n: string): { add(d: object): Promise<unknown> } };
  await db.collection("uni-id-users").add({ _id: "bench-user", status: 0, balance: 0 });
  // A paid order: the query answers from the database, as most queries do, without calling a provider.
  await db.collection("vk-pay-orders").add({
    out_trade_no: "BENCH1",
    user_id: "bench-user",
    status: "SUCCESS",
    type: "recharge",
    provider: "wxpay",
    pay_type: "wxpay_h5",
    total_fee: 100,
    pay_date: Date.now(),
    user_order_success: true,
    create_date: Date.now(),
  });
  const token = mintToken("bench-user");
  // Not the bundle's work, so done before the measurement: linking the function's file: dependencies (what
  // HBuilderX's local runner does; the cloud installs them at upload), and Node's lazy \`performance\` global.
  linkFileDependencies(join(spaceDir, "cloudfunctions/vk-pay"), join(DEFAULT_STAND_INS_DIR, "cloudfunctions/common"));
  performance.now();
  const before = process.cpuUsage();
  const started = performance.now();
  const { result } = await emulator.invoke(
    "vk-pay",
    { url: "pay/queryPayment", data: { out_trade_no: "BENCH1" }, uniIdToken: token },
    { source: "client", clientInfo: { PLATFORM: "h5" } },
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(before);
  await emulator.close();
  if ((result as { code: number }).code !== 0) throw new Error(`first call failed: ${JSON.stringify(result)}`);
  process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs, code: (result as { code: number }).code })}\n`);
}

void main();
