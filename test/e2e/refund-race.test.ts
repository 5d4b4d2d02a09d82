import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR, UNI_PAY_TEMPLATE } from "../../scripts/build/paths";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { loadOrCreateWxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { renderWxpaySandboxConfig } from "../../scripts/sandbox/wxpay/config";
import { copySpace } from "../helpers/fixture-space";
import { freePort, killChildren, startEmulatorProcess } from "../helpers/processes";
import { mintToken, TEST_SECRET, UNI_ID_TEST_CONFIG } from "../helpers/tokens";

/**
 * Refunds across instances (issue 13 item 1): several emulator processes on one database file, an order
 * of 100 fen with 90 already refunded, and concurrent 10-fen refunds split across the processes. Exactly
 * one caller wins the last 10 fen, the others are told why, and the sandbox receives each refund number
 * once. REFUND_RACE_SEEDS (default 3) and REFUND_RACE_PROCESSES (2 to 4, default 2) make a longer run.
 */
const SEEDS = Number(process.env.REFUND_RACE_SEEDS ?? 3);
const PROCESSES = Math.min(4, Math.max(2, Number(process.env.REFUND_RACE_PROCESSES ?? 2)));
const CALLERS = 20;

/** A small deterministic generator, so a failing seed can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe("refunds across instances on one database", () => {
  let space: ReturnType<typeof copySpace>;
  let urls: string[] = [];
  let userToken = "";
  let adminToken = "";
  afterAll(() => {
    killChildren();
    space?.cleanup();
  });

  const call = async (base: string, token: string, url: string, data: Record<string, unknown>) =>
    (await (
      await fetch(`${base}/http/vk-pay`, {
        method: "POST",
        headers: { "content-type": "application/json", "uni-id-token": token },
        body: JSON.stringify({ url, data }),
      })
    ).json()) as any;
  const control = async (action: string, body: Record<string, unknown>) =>
    (await (
      await fetch(`${urls[0]}/__sandbox/wxpay/${action}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    ).json()) as any;

  beforeAll(async () => {
    space = copySpace(SPACE_DIR);
    mkdirSync(join(space.dataDir, "uni-config-center/uni-id"), { recursive: true });
    mkdirSync(join(space.dataDir, "uni-config-center/uni-pay"), { recursive: true });
    writeFileSync(join(space.dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
    const keys = await loadOrCreateWxpaySandboxKeys(space.dataDir);
    const ports = await Promise.all(Array.from({ length: PROCESSES }, () => freePort()));
    // Every process reaches the one sandbox (hosted by the first) and names the first as its notify URL.
    writeFileSync(
      join(space.dataDir, "uni-config-center/uni-pay/config.js"),
      `const template = require(${JSON.stringify(UNI_PAY_TEMPLATE)});
module.exports = { ...template, notifyUrl: { local: "http://127.0.0.1:${ports[0]}/http/vk-pay" }, notifyKey: "0123456789abcdef0123456789abcdef", wxpay: ${renderWxpaySandboxConfig(keys, String(ports[0]))} };\n`,
    );
    await prepareDataDir(space.dataDir);
    const dbFile = join(space.dataDir, "shared.sqlite");
    // One after the other: the first one creates the tables and links the modules.
    urls = [(await startEmulatorProcess([space.spaceDir, space.dataDir, dbFile, String(ports[0]), "--sandbox"])).url];
    const setup = createDatabase({ file: dbFile });
    await setup.collection("uni-id-users").add({ _id: "u1", role: [], status: 0, balance: 0 });
    await setup.collection("uni-id-users").add({ _id: "admin1", role: ["admin"], status: 0 });
    await setup.close();
    for (const port of ports.slice(1)) urls.push((await startEmulatorProcess([space.spaceDir, space.dataDir, dbFile, String(port)])).url);
    userToken = await mintToken(TEST_SECRET, { uid: "u1" });
    adminToken = await mintToken(TEST_SECRET, { uid: "admin1", role: ["admin"] });
  }, 120_000);

  /** A paid 100-fen order with 90 fen refunded and settled. */
  async function orderWithTenLeft(): Promise<string> {
    const created = await call(urls[0], userToken, "pay/createPayment", { vk_platform: "h5", isPC: true, provider: "wxpay", type: "recharge", total_fee: 100 });
    expect(created).toMatchObject({ code: 0 });
    const outTradeNo = created.data.out_trade_no as string;
    expect(await control("pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true });
    expect(await call(urls[0], userToken, "pay/queryPayment", { out_trade_no: outTradeNo, await_notify: true })).toMatchObject({
      data: { trade_state: "SUCCESS" },
    });
    const first = await call(urls[0], adminToken, "admin/refund", { out_trade_no: outTradeNo, refund_fee: 90, force: true });
    expect(first).toMatchObject({ code: 0, data: { refund_fee: 90 } });
    return outTradeNo;
  }

  async function requestsAtSandbox(outTradeNo: string): Promise<Array<{ out_refund_no: string; refund: number; requests: number }>> {
    const answer = await control("refund-requests", { out_trade_no: outTradeNo });
    expect(answer).toMatchObject({ ok: true });
    return answer.refunds;
  }

  async function race(outTradeNo: string, seed: number, outRefundNo?: string): Promise<any[]> {
    const next = random(seed);
    const callers = Array.from({ length: CALLERS }, () => ({ base: urls[Math.floor(next() * urls.length)]!, delay: Math.floor(next() * 3) }));
    return Promise.all(
      callers.map(async ({ base, delay }) => {
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
        return call(base, adminToken, "admin/refund", {
          out_trade_no: outTradeNo,
          refund_fee: 10,
          force: true,
          ...(outRefundNo ? { out_refund_no: outRefundNo } : {}),
        });
      }),
    );
  }

  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}: one of ${CALLERS} concurrent refunds wins the last 10 fen, each number is sent once`, async () => {
      const outTradeNo = await orderWithTenLeft();
      const replies = await race(outTradeNo, seed);
      const winners = replies.filter((reply) => reply.code === 0);
      expect(winners).toHaveLength(1);
      // The others hear that nothing is left, or that a refund of this order is in flight.
      for (const reply of replies.filter((r) => r.code !== 0)) expect([2004, 2008]).toContain(reply.code);
      const atSandbox = await requestsAtSandbox(outTradeNo);
      expect(atSandbox.map((r) => r.requests)).toEqual(atSandbox.map(() => 1));
      expect(atSandbox.reduce((sum, r) => sum + r.refund, 0)).toBe(100);
      expect(new Set(atSandbox.map((r) => r.out_refund_no)).size).toBe(2);
    }, 120_000);

    it(`seed ${seed}: ${CALLERS} concurrent refunds with one out_refund_no reach the sandbox once`, async () => {
      const outTradeNo = await orderWithTenLeft();
      const replies = await race(outTradeNo, seed + 1000, `${outTradeNo}-R`);
      expect(replies.filter((reply) => reply.code === 0)).toHaveLength(1);
      for (const reply of replies.filter((r) => r.code !== 0)) expect(reply.code).toBe(2004);
      const again = (await requestsAtSandbox(outTradeNo)).find((r) => r.out_refund_no === `${outTradeNo}-R`);
      expect(again).toMatchObject({ refund: 10, requests: 1 });
    }, 120_000);
  }
});
