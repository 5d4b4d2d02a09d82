import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { encryptResource } from "../../common/vk-uni-pay/src/providers/wxpay/v3/resource";
import { signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/verify";
import { loadPrivateKey } from "../../common/vk-uni-pay/src/providers/wxpay/v3/keys";
import { ROOT, SPACE_DIR } from "../../scripts/build/paths";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { loadOrCreateWxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { copySpace } from "../helpers/fixture-space";
import { mintToken, TEST_SECRET, UNI_ID_TEST_CONFIG } from "../helpers/tokens";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Registered before it is awaited, so a process that never gets ready is still killed afterwards. */
const children: ChildProcess[] = [];

function startProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` rather than the tsx CLI: one process, so killing it leaves no orphan behind.
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "workers/emulator-process.ts"), ...args], { cwd: ROOT });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk) => (err += chunk));
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("http://"));
      if (line) resolve({ child, url: line.trim() });
    });
    child.once("exit", (code) => reject(new Error(`emulator process exited ${code}: ${err}`)));
  });
}

/**
 * Two emulator processes on one space and one database file, as two cloud instances of vk-pay: the
 * same payment notification delivered 50 times at once, half to each, is applied and credited once.
 */
describe("two vk-pay processes on one database", () => {
  let space: ReturnType<typeof copySpace>;
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    space?.cleanup();
  });

  it("apply 50 concurrent duplicate notifications exactly once", async () => {
    space = copySpace(SPACE_DIR);
    mkdirSync(join(space.dataDir, "uni-config-center/uni-id"), { recursive: true });
    writeFileSync(join(space.dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
    await prepareDataDir(space.dataDir);
    const keys = await loadOrCreateWxpaySandboxKeys(space.dataDir);
    const dbFile = join(space.dataDir, "shared.sqlite");
    const [portA, portB] = [await freePort(), await freePort()];

    // One after the other: the first one creates the tables and links the modules.
    const a = await startProcess([space.spaceDir, space.dataDir, dbFile, String(portA), "--sandbox"]);
    const token = await mintToken(TEST_SECRET, { uid: "u1" });
    const call = async (base: string, url: string, data: Record<string, unknown>) =>
      (await (await fetch(`${base}/http/vk-pay`, { method: "POST", headers: { "content-type": "application/json", "uni-id-token": token }, body: JSON.stringify({ url, data }) })).json()) as any;
    // The user row, through the emulator's own database file.
    const { createDatabase } = await import("../../scripts/uni-cloud-mock/src/database");
    const setup = createDatabase({ file: dbFile });
    await setup.collection("uni-id-users").add({ _id: "u1", role: [], status: 0, balance: 0 });
    await setup.close();
    const created = await call(a.url, "pay/createPayment", { vk_platform: "h5", isPC: true, provider: "wxpay", type: "recharge", total_fee: 1234 });
    expect(created).toMatchObject({ code: 0 });
    const b = await startProcess([space.spaceDir, space.dataDir, dbFile, String(portB)]);

    // The notification WeChat would send, signed and encrypted with the sandbox platform's keys.
    const transaction = { mchid: keys.mchId, appid: keys.appId, out_trade_no: created.data.out_trade_no, transaction_id: "4200000000000000000000000001", trade_type: "NATIVE", trade_state: "SUCCESS", trade_state_desc: "支付成功", success_time: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"), amount: { total: 1234, payer_total: 1234, currency: "CNY", payer_currency: "CNY" } };
    const body = JSON.stringify({ id: randomUUID(), create_time: new Date().toISOString(), resource_type: "encrypt-resource", event_type: "TRANSACTION.SUCCESS", summary: "支付成功", resource: encryptResource({ plaintext: JSON.stringify(transaction), apiV3Key: keys.v3Key, associatedData: "transaction" }) });
    const headers = { "content-type": "application/json", ...signResponse({ body, privateKey: loadPrivateKey(keys.platformPrivateKeyPem), serial: keys.platformSerial }) };
    const path = `/http/vk-pay/vk-pay-notify/wxpay_h5/${created.data.out_trade_no}`;
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => fetch(`${i % 2 ? b.url : a.url}${path}`, { method: "POST", headers, body }).then((r) => r.status)));
    expect(replies.every((status) => status === 200 || status === 204)).toBe(true);

    const info = await call(b.url, "user/getInfo", {});
    expect(info).toMatchObject({ code: 0, data: { balance: 1234 } });
    const check = createDatabase({ file: dbFile });
    try {
      const log = (await check.collection("vk-pay-notify-log").limit(1000).get()).data as Array<{ outcome: string }>;
      expect(log.filter((entry) => entry.outcome === "applied")).toHaveLength(1);
      expect(log.filter((entry) => entry.outcome === "duplicate")).toHaveLength(49);
      const credits = (await check.collection("vk-pay-balance-log").get()).data;
      expect(credits).toHaveLength(1);
    } finally {
      await check.close();
    }
  }, 120_000);
});
