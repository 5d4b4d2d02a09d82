import autocannon from "autocannon";
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import { SPACE_DIR } from "../build/paths";
import { prepareDataDir } from "../local/data-dir";
import { freePort, startEmulatorChild } from "../local/emulator-child";
import { loadOrCreateWxpaySandboxKeys, type WxpaySandboxKeys } from "../sandbox/pki";
import { createDatabase } from "../uni-cloud-mock/src/database";
import { notification, type Message } from "./notify-pipeline";
import type { BenchRow } from "./table";

/**
 * Issue 19, part 2: notifications per second through the emulator's HTTP server on loopback, with one
 * and with two emulator processes on one database file, and p50/p99 latency at 1, 10 and 50 concurrent
 * connections; the same latencies for `user/getInfo` (the router and the token, no payment work).
 * Every notification is distinct, valid and for an unpaid order; afterwards every order must be paid,
 * credited once and logged once, or the bench fails.
 */

const CONCURRENCY = [1, 10, 50];
// Sized for the 2-core machine: a few hundred notifications a second, so the whole part takes well
// under a minute. c=1 measures latency, which needs fewer requests than the loaded runs.
const NOTIFICATIONS = { 1: 150, 10: 400, 50: 400 } as Record<number, number>;
const GET_INFO_REQUESTS = 1000;
const AMOUNT = 100;

interface Emulator {
  child: ChildProcess;
  url: string;
}

function startEmulator(args: string[]): Promise<Emulator> {
  return startEmulatorChild(join(__dirname, "http-emulator.ts"), args);
}

interface Space {
  root: string;
  spaceDir: string;
  dataDir: string;
  dbFile: string;
  keys: WxpaySandboxKeys;
  secret: string;
}

/** A throw-away copy of the space and data folder, with a uni-id secret the bench knows (for tokens). */
async function prepareSpace(): Promise<Space> {
  const root = mkdtempSync(join(tmpdir(), "vk-pay-bench-http-"));
  const spaceDir = join(root, "uniCloud");
  // Linking the `file:` dependencies writes into the space: never into the repository's.
  cpSync(SPACE_DIR, spaceDir, { recursive: true, filter: (path) => !path.includes("node_modules") });
  const dataDir = join(root, "data");
  const secret = randomBytes(32).toString("hex");
  mkdirSync(join(dataDir, "uni-config-center/uni-id"), { recursive: true });
  writeFileSync(
    join(dataDir, "uni-config-center/uni-id/config.json"),
    JSON.stringify({ tokenSecret: secret, tokenExpiresIn: 7200, tokenExpiresThreshold: 1200, maxTokenLength: 10 }),
  );
  await prepareDataDir(dataDir);
  const keys = await loadOrCreateWxpaySandboxKeys(dataDir);
  return { root, spaceDir, dataDir, dbFile: join(dataDir, "bench.sqlite"), keys, secret };
}

/** uni-id-common's token format (HS256 over uid, role, permission, iat, exp). */
function tokenFor(uid: string, secret: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return jwt.sign({ uid, role: [], permission: [], uniIdVersion: "1.0.19", iat, exp: iat + 7200 }, secret, { algorithm: "HS256" });
}

/** The user and `count` unpaid recharge orders, written straight into the file before any emulator opens it. */
async function seed(space: Space, count: number): Promise<string[]> {
  const db = createDatabase({ file: space.dbFile, definitionsDir: join(space.spaceDir, "database") });
  const numbers = Array.from({ length: count }, (_, i) => `H${i}`);
  try {
    await db.collection("uni-id-users").add({ _id: "u1", username: "u1", role: [], status: 0, balance: 0, token: [] });
    for (let start = 0; start < count; start += 500) {
      await db.collection("vk-pay-orders").add(
        numbers.slice(start, start + 500).map((no, i) => ({
          out_trade_no: no,
          type: "recharge",
          provider: "wxpay",
          pay_type: "wxpay_h5",
          status: "NOTPAY",
          total_fee: AMOUNT,
          user_id: "u1",
          mch_id: space.keys.mchId,
          provider_appid: space.keys.appId,
          create_date: start + i,
          refund_fee: 0,
          custom: { recharge_balance: AMOUNT },
        })),
      );
    }
  } finally {
    await db.close();
  }
  return numbers;
}

interface Run {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
}

/** One autocannon run of exactly `messages.length` requests over `connections`, each message sent once. */
async function cannon(
  url: string,
  connections: number,
  messages: Array<{ path: string; method: "POST"; headers: Record<string, string>; body: string }>,
): Promise<Run> {
  let next = 0;
  // autocannon's own duration is whole seconds; a run here lasts a few.
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
    amount: messages.length,
    timeout: 30,
    requests: [
      {
        // Every request takes the next prepared message: distinct bodies, never replayed.
        setupRequest: (request) => ({ ...request, ...messages[next++ % messages.length]! }),
      },
    ],
  });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx replies`);
  }
  return { requests: result.requests.total, seconds: (performance.now() - started) / 1000, p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * The load split over the processes, each with its share of the connections (at least one): with two
 * processes at "concurrency 1" there is one connection to each. Throughput is the sum; latency the worse.
 */
async function spread(emulators: Emulator[], connections: number, messages: Message[], numbers: string[]): Promise<Run> {
  const share = Math.ceil(messages.length / emulators.length);
  const runs = await Promise.all(
    emulators.map((emulator, index) =>
      cannon(
        emulator.url,
        Math.max(1, Math.round(connections / emulators.length)),
        messages.slice(index * share, (index + 1) * share).map((message, i) => ({
          method: "POST" as const,
          path: `/http/vk-pay/vk-pay-notify/wxpay_h5/${numbers[index * share + i]}`,
          headers: message.headers,
          body: message.body,
        })),
      ),
    ),
  );
  return {
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    seconds: Math.max(...runs.map((run) => run.seconds)),
    p50: Math.max(...runs.map((run) => run.p50)),
    p99: Math.max(...runs.map((run) => run.p99)),
  };
}

/** Every order paid, credited once (one ledger row, the balance the sum) and logged as applied once. */
async function checkSettled(space: Space, numbers: string[]): Promise<void> {
  const db = createDatabase({ file: space.dbFile, definitionsDir: join(space.spaceDir, "database") });
  try {
    const count = async (name: string, where: Record<string, unknown>) => (await db.collection(name).where(where).count()).total;
    const _ = db.command;
    const paid = await count("vk-pay-orders", { status: "SUCCESS", user_order_success: true });
    const unpaid = await count("vk-pay-orders", { status: _.neq("SUCCESS") });
    const credits = await count("vk-pay-balance-log", { user_id: "u1" });
    const applied = await count("vk-pay-notify-log", { outcome: "applied" });
    const other = await count("vk-pay-notify-log", { outcome: _.neq("applied") });
    const user = (await db.collection("uni-id-users").doc("u1").get()).data[0] as { balance: number };
    const problems = [
      paid !== numbers.length && `${paid} of ${numbers.length} orders paid with their hook done`,
      unpaid !== 0 && `${unpaid} orders not paid`,
      credits !== numbers.length && `${credits} credits for ${numbers.length} orders`,
      user.balance !== numbers.length * AMOUNT && `balance ${user.balance}, expected ${numbers.length * AMOUNT}`,
      (applied !== numbers.length || other !== 0) && `${applied} notifications applied and ${other} otherwise logged`,
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`HTTP bench: ${problems.join("; ")}`);
  } finally {
    await db.close();
  }
}

/** autocannon records whole milliseconds: 0 means under one. */
function latency(run: Run): string {
  return [run.p50, run.p99].map((ms) => (ms === 0 ? "<1" : String(ms))).join(" / ");
}

function stop(emulators: Emulator[]): void {
  for (const { child } of emulators) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

export async function benchHttpThroughput(): Promise<BenchRow[]> {
  const space = await prepareSpace();
  const perRound = CONCURRENCY.reduce((sum, c) => sum + NOTIFICATIONS[c]!, 0);
  const numbers = await seed(space, perRound * 2);
  // Signed up front, so the load generator's process spends nothing on RSA while it measures.
  const messages = numbers.map((no) => notification(space.keys, no, AMOUNT));
  const rows: BenchRow[] = [];
  const emulators: Emulator[] = [];
  try {
    // One after the other: the first one creates the tables and links the modules.
    emulators.push(await startEmulator([space.spaceDir, space.dataDir, space.dbFile, String(await freePort())]));
    const token = tokenFor("u1", space.secret);
    const getInfo = {
      method: "POST" as const,
      path: "/http/vk-pay",
      headers: { "content-type": "application/json", "uni-id-token": token },
      body: '{"url":"user/getInfo","data":{}}',
    };
    const reply = (await (await fetch(`${emulators[0]!.url}${getInfo.path}`, { method: "POST", headers: getInfo.headers, body: getInfo.body })).json()) as {
      code?: unknown;
    };
    if (reply.code !== 0) throw new Error(`user/getInfo refused the bench's token: ${JSON.stringify(reply)}`);
    // Warm-up: the function's first load and the connection's first statements are not the steady state.
    await cannon(
      emulators[0]!.url,
      1,
      Array.from({ length: 50 }, () => getInfo),
    );
    let offset = 0;
    for (const processes of [1, 2]) {
      if (processes === 2) emulators.push(await startEmulator([space.spaceDir, space.dataDir, space.dbFile, String(await freePort())]));
      for (const connections of CONCURRENCY) {
        const size = NOTIFICATIONS[connections]!;
        const run = await spread(emulators, connections, messages.slice(offset, offset + size), numbers.slice(offset, offset + size));
        offset += size;
        const label = `HTTP notifications, ${processes} process${processes > 1 ? "es" : ""}, c=${connections}`;
        rows.push(
          { name: `${label}: per second`, value: run.requests / run.seconds, target: "—", ok: true },
          { name: `${label}: p50 / p99 latency (ms)`, value: run.p50, target: "—", ok: true, detail: latency(run) },
        );
      }
    }
    for (const connections of CONCURRENCY) {
      const run = await cannon(
        emulators[0]!.url,
        connections,
        Array.from({ length: GET_INFO_REQUESTS }, () => getInfo),
      );
      rows.push(
        { name: `HTTP user/getInfo, c=${connections}: per second`, value: run.requests / run.seconds, target: "—", ok: true },
        { name: `HTTP user/getInfo, c=${connections}: p50 / p99 latency (ms)`, value: run.p50, target: "—", ok: true, detail: latency(run) },
      );
    }
    stop(emulators);
    await checkSettled(space, numbers);
  } finally {
    stop(emulators);
    rmSync(space.root, { recursive: true, force: true });
  }
  return rows;
}
