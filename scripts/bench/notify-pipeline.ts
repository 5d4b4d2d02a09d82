import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID, type KeyObject } from "node:crypto";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import type { HookModule } from "../../common/vk-uni-pay/src/core/hooks";
import { processNotification, type PipelineDeps } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import {
  decryptResource,
  encryptResource,
  loadPrivateKey,
  loadPublicKey,
  signResponse,
  verifyWxpayV3Signature,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { SPACE_DIR } from "../build/paths";
import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "../sandbox/pki";
import { createDatabase } from "../uni-cloud-mock/src/database";
import type { StorageFloor } from "./storage-floor";
import { captureSettleWrites, replaySettle, type SettleWrites } from "./operation-replay";
import { median, type BenchRow } from "./table";
import { walPagesPer } from "./wal-pages";

// Nine rounds of distinct orders (warm-up, seven measured, the WAL count) fit in the 1,000-order fixture.
// Seven short rounds rather than three long ones: the ratios are taken round by round (see below).
const NOTIFICATIONS = 100;
const ROUNDS = 7;

export interface Message {
  headers: Record<string, string>;
  body: string;
}

/** A v3 payment notification, signed in public-key mode so no certificate download is involved. */
export function notification(keys: WxpaySandboxKeys, outTradeNo: string, total: number): Message {
  const transaction = {
    mchid: keys.mchId,
    appid: keys.appId,
    out_trade_no: outTradeNo,
    transaction_id: `4200${outTradeNo}`,
    trade_type: "NATIVE",
    trade_state: "SUCCESS",
    success_time: "2026-11-25T12:00:00+08:00",
    amount: { total, payer_total: total, currency: "CNY", payer_currency: "CNY" },
  };
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: "2026-11-25T12:00:00+08:00",
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: encryptResource({ plaintext: JSON.stringify(transaction), apiV3Key: keys.v3Key, associatedData: "transaction" }),
  });
  const headers = {
    "content-type": "application/json",
    ...signResponse({ body, privateKey: loadPrivateKey(keys.wxpayPublicKeyPrivatePem), serial: keys.wxpayPublicKeyId }),
  };
  return { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), body };
}

function cpuMs(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

interface Fixture {
  dir: string;
  raw: ReturnType<typeof createDatabase>;
  deps: PipelineDeps;
  /** Per round, the unpaid orders it notifies. */
  numbers: string[][];
  messages: Message[][];
  paths: string[][];
}

/**
 * `size` orders (NOTPAY) and, per round, NOTIFICATIONS notifications for orders not yet paid (signed only
 * when `signed`: the operation replay needs the orders alone).
 */
async function prepare(size: number, keys: WxpaySandboxKeys, hooks: HookModule, signed = true): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-notify-"));
  const raw = createDatabase({ file: join(dir, "db.sqlite"), definitionsDir: join(SPACE_DIR, "database") });
  const db = raw as unknown as Database;
  await db.collection("uni-id-users").add({ _id: "u1", balance: 0, status: 0 });
  for (let start = 0; start < size; start += 1000) {
    await raw.collection("vk-pay-orders").add(
      Array.from({ length: Math.min(1000, size - start) }, (_, i) => ({
        out_trade_no: `N${start + i}`,
        type: "recharge",
        provider: "wxpay",
        pay_type: "wxpay_h5",
        status: "NOTPAY",
        total_fee: 100,
        user_id: "u1",
        mch_id: keys.mchId,
        provider_appid: keys.appId,
        create_date: start + i,
        refund_fee: 0,
        custom: { recharge_balance: 100 },
      })),
    );
  }
  const config = validatePayConfig({ wxpay: { h5: wxpaySandboxConfig(keys, "http://127.0.0.1:1") } });
  const deps: PipelineDeps = {
    db,
    now: () => Date.now(),
    log: () => undefined,
    findProvider: (name) => (name === "wxpay" ? provider : undefined),
    providerNames: () => ["wxpay"],
    config: () => config,
    runtime: { now: () => Date.now(), request: () => Promise.reject(new Error("no network in the bench")) },
    hooks: () => hooks,
  };
  const provider = createWxpayProvider({ database: () => db, log: () => undefined });
  const numbers: string[][] = [];
  const messages: Message[][] = [];
  const paths: string[][] = [];
  for (let round = 0; round <= ROUNDS + 1; round += 1) {
    const these = Array.from({ length: NOTIFICATIONS }, (_, i) => `N${((round * NOTIFICATIONS + i) * 7919) % size}`);
    numbers.push(these);
    messages.push(signed ? these.map((no) => notification(keys, no, 100)) : []);
    paths.push(these.map((no) => `/vk-pay-notify/wxpay_h5/${no}`));
  }
  return { dir, raw, deps, numbers, messages, paths };
}

async function pipelineRound(fixture: Fixture, round: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < NOTIFICATIONS; i += 1) {
    const message = fixture.messages[round]![i]!;
    const reply = await processNotification(
      { path: fixture.paths[round]![i], httpMethod: "POST", headers: message.headers, body: message.body, isBase64Encoded: false },
      "/vk-pay-notify/",
      fixture.deps,
    );
    if (reply.statusCode >= 300) throw new Error(`notification refused: ${reply.body}`);
  }
  return cpuMs(started) / NOTIFICATIONS;
}

/** The same round's database operations, replayed on `fixture`'s own orders (operation-replay.ts). */
async function replayRound(fixture: Fixture, round: number, writes: SettleWrites): Promise<number> {
  const started = process.cpuUsage();
  for (const outTradeNo of fixture.numbers[round]!) await replaySettle(fixture.raw, outTradeNo, writes);
  return cpuMs(started) / NOTIFICATIONS;
}

/** The cryptography of one message: RSA verification and AES-GCM decryption, key loaded once. */
function cryptoOf(keys: WxpaySandboxKeys, publicKey: KeyObject, message: Message): void {
  const ok = verifyWxpayV3Signature({
    timestamp: message.headers["wechatpay-timestamp"]!,
    nonce: message.headers["wechatpay-nonce"]!,
    body: message.body,
    signature: message.headers["wechatpay-signature"]!,
    publicKey,
  });
  if (!ok) throw new Error("signature");
  decryptResource(JSON.parse(message.body).resource, keys.v3Key);
}

/** The cryptography alone, in a loop of the round's messages. */
function cryptoRound(keys: WxpaySandboxKeys, publicKey: KeyObject, messages: Message[]): number {
  const started = process.cpuUsage();
  for (const message of messages) cryptoOf(keys, publicKey, message);
  return cpuMs(started) / messages.length;
}

/**
 * SPEC §11: a v3 payment notification end to end (verify, decrypt, bind, state change, recharge hook,
 * log) against the crypto alone, and the same on 100,000 orders as on 1,000.
 */
export async function benchNotifyPipeline(floor: StorageFloor): Promise<BenchRow[]> {
  const keysDir = mkdtempSync(join(tmpdir(), "vk-pay-bench-keys-"));
  const keys = await loadOrCreateWxpaySandboxKeys(keysDir);
  const recharge = require("../../router/service/pay-notify/recharge") as HookModule;
  const small = await prepare(1000, keys, recharge);
  const large = await prepare(100_000, keys, recharge);
  const replay = await prepare(1000, keys, recharge, false);
  const publicKey = loadPublicKey(keys.wxpayPublicKeyPem);
  const samples = {
    small: [] as number[],
    large: [] as number[],
    crypto: [] as number[],
    floor: [] as number[],
    interleaved: [] as number[],
    replay: [] as number[],
  };
  // Each round's ratios, from its own adjacent measurements: this machine's speed drifts between minutes,
  // which a ratio of medians taken minutes apart would read as part of the ratio.
  const ratios = { crypto: [] as number[], physical: [] as number[], document: [] as number[], interleaved: [] as number[], cost: [] as number[] };
  let pages = 0;
  try {
    // The documents the replay writes are those the pipeline wrote for its first notification.
    const first = small.numbers[0]![0]!;
    const { data: unpaid } = await small.raw.collection("vk-pay-orders").where({ out_trade_no: first }).get();
    await pipelineRound(small, 0);
    const writes = await captureSettleWrites(small.raw, first, unpaid[0]!);
    await pipelineRound(large, 0);
    await replayRound(replay, 0, writes);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const messages = small.messages[round]!;
      const crypto = cryptoRound(keys, publicKey, messages);
      const storage = floor.sampleColumns();
      const interleaved = floor.sampleColumnsAfter((i) => cryptoOf(keys, publicKey, messages[i % messages.length]!));
      const pipeline = await pipelineRound(small, round);
      const operations = await replayRound(replay, round, writes);
      samples.crypto.push(crypto);
      samples.floor.push(storage);
      samples.interleaved.push(interleaved);
      samples.small.push(pipeline);
      samples.replay.push(operations);
      samples.large.push(await pipelineRound(large, round));
      ratios.crypto.push(pipeline / crypto);
      ratios.physical.push(pipeline / (crypto + storage));
      ratios.document.push(operations / storage);
      ratios.interleaved.push(pipeline / interleaved);
      ratios.cost.push(interleaved / (crypto + storage));
    }
    // The extra round of messages prepare() made: its orders are still unpaid.
    pages = await walPagesPer(join(small.dir, "db.sqlite"), NOTIFICATIONS, () => pipelineRound(small, ROUNDS + 1));
  } finally {
    for (const fixture of [small, large, replay]) {
      await fixture.raw.close();
      rmSync(fixture.dir, { recursive: true, force: true });
    }
    rmSync(keysDir, { recursive: true, force: true });
  }
  const [crypto, pipeline, pipelineLarge, storage] = [median(samples.crypto), median(samples.small), median(samples.large), median(samples.floor)];
  const operations = median(samples.replay);
  // Against the physical floor: the crypto plus the same storage work in plain SQL on the best layout
  // (storage-floor.ts), both measured in rounds alternating with the pipeline's.
  const [overCrypto, overPhysical] = [median(ratios.crypto), median(ratios.physical)];
  return [
    ...floor.rows,
    { name: "v3 notification: crypto alone (CPU ms each)", value: crypto, target: "—", ok: true },
    { name: "v3 notification: whole pipeline, 1k orders (CPU ms each)", value: pipeline, target: "—", ok: true },
    { name: "v3 notification: pipeline / crypto (ratio, median of rounds)", value: overCrypto, target: "≤ 4", ok: overCrypto <= 4 },
    { name: "storage floor (b), in rounds alternating with the pipeline's (CPU ms each)", value: storage, target: "—", ok: true },
    { name: "v3 notification: pipeline / (crypto + storage floor b), median of rounds", value: overPhysical, target: "≤ 1.5", ok: overPhysical <= 1.5 },
    // The same physical work, one notification after another: what the hot loops above leave out.
    { name: "crypto then plain-SQL settle, per notification, interleaved (CPU ms each)", value: median(samples.interleaved), target: "—", ok: true },
    { name: "  interleaved / (crypto + storage floor b), the cost of running them in turn", value: median(ratios.cost), target: "—", ok: true },
    { name: "v3 notification: pipeline / that interleaved work, median of rounds", value: median(ratios.interleaved), target: "—", ok: true },
    // Where the gap to the floor is: the emulator's document layer, and vk-pay's own code.
    { name: "v3 notification: its database operations replayed, no vk-pay code (CPU ms each)", value: operations, target: "—", ok: true },
    { name: "v3 notification: replayed operations / storage floor b (the document layer)", value: median(ratios.document), target: "—", ok: true },
    {
      name: "v3 notification: pipeline − crypto − replay: vk-pay's code, its GC and cache misses (CPU ms each)",
      value: pipeline - crypto - operations,
      target: "—",
      ok: true,
    },
    // Why 4x is out of reach: the commit's pages (see wal-pages.ts), against the floors' in the same run.
    { name: "v3 notification: WAL pages written per notification", value: pages, target: "—", ok: true },
    { name: "storage floor (a): WAL pages per notification", value: floor.jsonPages, target: "—", ok: true },
    { name: "storage floor (b): WAL pages per notification", value: floor.columnPages, target: "—", ok: true },
    { name: "v3 notification: 100k / 1k orders (ratio)", value: pipelineLarge / pipeline, target: "≤ 1.5", ok: pipelineLarge / pipeline <= 1.5 },
  ];
}
