import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import type { HookModule } from "../../common/vk-uni-pay/src/core/hooks";
import { fenToYuan } from "../../common/vk-uni-pay/src/core/money";
import type { PaymentProvider } from "../../common/vk-uni-pay/src/kernel/contract";
import { processNotification, type PipelineDeps } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import { signAlipayNotify } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { huawei as huaweiProvider } from "../../common/vk-uni-pay/src/providers/huawei";
import { huaweiSignString, parseSm2PublicKey, sm2Sign, sm2Verify } from "../../common/vk-uni-pay/src/providers/huawei/protocol";
import { vkspay as vkspayProvider } from "../../common/vk-uni-pay/src/providers/vkspay";
import { epaySign, epaySignContent } from "../../common/vk-uni-pay/src/providers/vkspay/sign";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { buildV2SignString, buildV2Xml, signV2 } from "../../common/vk-uni-pay/src/providers/wxpay/v2/protocol";
import { SPACE_DIR } from "../build/paths";
import { alipaySandboxConfig, loadOrCreateAlipaySandboxKeys, loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig } from "../sandbox/pki";
import { loadOrCreateHuaweiSandboxKeys } from "../sandbox/huawei/keys";
import { loadOrCreateVkspaySandboxKeys } from "../sandbox/vkspay/keys";
import { loadOrCreateAppleSandboxKeys } from "../sandbox/appleiap/keys";
import { loadOrCreateDouyinSandboxKeys } from "../sandbox/douyin/keys";
import { loadOrCreateXpaySandboxKeys } from "../sandbox/wxpay-virtual/keys";
import { appleiap, douyin, wxpayVirtual } from "./provider-notify-cases";
import { createDatabase } from "../uni-cloud-mock/src/database";
import type { StorageFloor } from "./storage-floor";
import { median, type BenchRow } from "./table";

/**
 * Issue 19, part 4: each provider's payment notification through the whole pipeline (verify, bind, state
 * change, recharge hook, log) on the emulator's database, against that provider's own crypto alone (its
 * signature check, keys cached). WeChat v3 has its own rows (notify-pipeline.ts).
 */

const NOTIFICATIONS = 100;
const ROUNDS = 3;
export const AMOUNT = 100;

export interface Message {
  headers: Record<string, string>;
  body: string;
  /** The URL's query, for providers that sign there (xpay's message push). */
  query?: Record<string, string>;
  /** What the order this message is about must hold besides the common fields (Apple's payment claim). */
  order?: Record<string, unknown>;
}

export interface ProviderCase {
  label: string;
  provider(db: Database): PaymentProvider;
  name: string;
  mode: string;
  config: Record<string, unknown>;
  /** What binding compares with the notification: the merchant and app the order was created for. */
  order: { mch_id: string; provider_appid?: string };
  /** The provider keeps one block for every mode (VksPay), not one per mode. */
  flat?: boolean;
  message(outTradeNo: string): Message;
  /** The crypto alone for one message, keys already parsed. */
  crypto(message: Message): void;
  /**
   * A notification that refunds a paid order (Apple's REFUND: App Store payments are proven by the app, not
   * notified): the orders start paid and credited, and end refunded.
   */
  refunds?: boolean;
}

function cpuMs(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

async function measure(spec: ProviderCase, dir: string, hooks: HookModule, floor: StorageFloor): Promise<BenchRow[]> {
  const raw = createDatabase({ file: join(dir, `${spec.name}.sqlite`), definitionsDir: join(SPACE_DIR, "database") });
  const db = raw as unknown as Database;
  try {
    const count = (ROUNDS + 1) * NOTIFICATIONS;
    // Signed up front: the platform's signing is not ours to count.
    const messages = Array.from({ length: count }, (_, i) => spec.message(`${spec.name}${i}`));
    // A refund takes back the credit its payment gave: the user holds every order's.
    await db.collection("uni-id-users").add({ _id: "u1", balance: spec.refunds ? count * AMOUNT : 0, status: 0 });
    await raw.collection("vk-pay-orders").add(
      messages.map((message, i) => ({
        out_trade_no: `${spec.name}${i}`,
        type: "recharge",
        provider: spec.name,
        pay_type: `${spec.name}_${spec.mode}`,
        status: "NOTPAY",
        total_fee: AMOUNT,
        user_id: "u1",
        ...spec.order,
        ...(spec.refunds ? { status: "SUCCESS", pay_date: i, user_order_success: true } : {}),
        ...message.order,
        create_date: i,
        refund_fee: 0,
        custom: { recharge_balance: AMOUNT },
      })),
    );
    const config = validatePayConfig({ [spec.name]: spec.flat ? spec.config : { [spec.mode]: spec.config } });
    const provider = spec.provider(db);
    const deps: PipelineDeps = {
      db,
      now: () => Date.now(),
      log: () => undefined,
      findProvider: (name) => (name === spec.name ? provider : undefined),
      providerNames: () => [spec.name],
      config: () => config,
      // As productionDeps has it: the database travels to providers that keep state there (Apple's claims).
      runtime: { now: () => Date.now(), db, request: () => Promise.reject(new Error("no network in the bench")) },
      hooks: () => hooks,
    };
    const pipeline: number[] = [];
    const crypto: number[] = [];
    const storage: number[] = [];
    for (let round = 0; round <= ROUNDS; round += 1) {
      const batch = messages.slice(round * NOTIFICATIONS, (round + 1) * NOTIFICATIONS);
      let started = process.cpuUsage();
      for (const message of batch) spec.crypto(message);
      const cryptoMs = cpuMs(started) / NOTIFICATIONS;
      started = process.cpuUsage();
      for (let i = 0; i < batch.length; i += 1) {
        const path = `/vk-pay-notify/${spec.name}_${spec.mode}/${spec.name}${round * NOTIFICATIONS + i}`;
        const { headers, body, query } = batch[i]!;
        const reply = await processNotification(
          { path, httpMethod: "POST", headers, body, isBase64Encoded: false, ...(query ? { queryStringParameters: query } : {}) },
          "/vk-pay-notify/",
          deps,
        );
        if (reply.statusCode >= 300) throw new Error(`${spec.label} notification refused: ${reply.body}`);
      }
      const pipelineMs = cpuMs(started) / NOTIFICATIONS;
      // Round 0 warms up (key parsing, JIT, the first statements): not counted.
      if (round > 0) {
        pipeline.push(pipelineMs);
        crypto.push(cryptoMs);
        storage.push(floor.sampleColumns());
      }
    }
    const settled = spec.refunds ? { status: "REFUND" } : { status: "SUCCESS", user_order_success: true };
    const done = (await db.collection("vk-pay-orders").where(settled).count()).total;
    if (done !== count) throw new Error(`${spec.label}: ${done} of ${count} orders ${spec.refunds ? "refunded" : "paid"}`);
    const [p, c, f] = [median(pipeline), median(crypto), median(storage)];
    return [
      { name: `${spec.label} notification: pipeline (CPU ms each)`, value: p, target: "—", ok: true },
      // In µs: a v2 MD5 is a few of them, which two decimals of a millisecond would print as 0.
      { name: `${spec.label} notification: crypto alone (CPU µs each)`, value: c * 1000, target: "—", ok: true },
      { name: `${spec.label} notification: pipeline / its crypto`, value: p / c, target: "—", ok: true },
      { name: `${spec.label} notification: pipeline / (its crypto + storage floor b)`, value: p / (c + f), target: "—", ok: true },
    ];
  } finally {
    await raw.close();
  }
}

/** WeChat Pay v2: signed XML, MD5 over the sorted fields and the API key. */
function wxpayV2(keys: Awaited<ReturnType<typeof loadOrCreateWxpaySandboxKeys>>): ProviderCase {
  const signStrings = new Map<string, string>();
  return {
    label: "wxpay v2",
    provider: (db) => createWxpayProvider({ database: () => db, log: () => undefined }),
    name: "wxpay",
    mode: "h5",
    config: wxpaySandboxConfig(keys, "http://bench.invalid", { version: 2 }),
    order: { mch_id: keys.mchId, provider_appid: keys.appId },
    message(outTradeNo) {
      const fields: Record<string, string> = {
        return_code: "SUCCESS",
        return_msg: "OK",
        appid: keys.appId,
        mch_id: keys.mchId,
        nonce_str: `n${outTradeNo}`,
        result_code: "SUCCESS",
        openid: "o-bench",
        trade_type: "NATIVE",
        bank_type: "OTHERS",
        total_fee: String(AMOUNT),
        fee_type: "CNY",
        cash_fee: String(AMOUNT),
        transaction_id: `4200${outTradeNo}`,
        out_trade_no: outTradeNo,
        time_end: "20261125120000",
      };
      const body = buildV2Xml({ ...fields, sign: signV2(fields, keys.key) });
      signStrings.set(body, buildV2SignString(fields));
      return { headers: { "content-type": "text/xml; charset=utf-8" }, body };
    },
    crypto({ body }) {
      // The digest over the sign string (the parsing is the pipeline's): what the signature costs.
      createHash("md5")
        .update(`${signStrings.get(body)!}&key=${keys.key}`)
        .digest("hex");
    },
  };
}

/** Alipay (key mode): a form signed with RSA2 by Alipay's key. */
function alipay(keys: Awaited<ReturnType<typeof loadOrCreateAlipaySandboxKeys>>): ProviderCase {
  const alipayPrivate = createPrivateKey(keys.alipayPrivateKeyPem);
  const alipayPublic = createPublicKey(keys.alipayPublicKeyPem);
  const signatures = new Map<string, Buffer>();
  return {
    label: "alipay",
    provider: (db) => createAlipayProvider({ wait: async () => undefined, database: () => db }),
    name: "alipay",
    mode: "h5",
    config: alipaySandboxConfig(keys, "http://bench.invalid"),
    order: { mch_id: keys.sellerId, provider_appid: keys.keyApp.appId },
    message(outTradeNo) {
      const amount = fenToYuan(AMOUNT);
      const { body } = signAlipayNotify(
        {
          notify_time: "2026-11-25 12:00:00",
          notify_type: "trade_status_sync",
          notify_id: `n${outTradeNo}`,
          charset: "utf-8",
          version: "1.0",
          app_id: keys.keyApp.appId,
          auth_app_id: keys.keyApp.appId,
          trade_no: `2026112522001${outTradeNo}`,
          out_trade_no: outTradeNo,
          trade_status: "TRADE_SUCCESS",
          total_amount: amount,
          receipt_amount: amount,
          buyer_pay_amount: amount,
          seller_id: keys.sellerId,
          buyer_id: "2088102177846880",
          subject: "账户充值",
          gmt_create: "2026-11-25 11:59:00",
          gmt_payment: "2026-11-25 12:00:00",
        },
        alipayPrivate,
      );
      // An RSA2 signature over text of the message's size, made here so the floor is one verify.
      signatures.set(body, sign("sha256", Buffer.from(body), alipayPrivate));
      return { headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body };
    },
    crypto({ body }) {
      if (!verify("sha256", Buffer.from(body), alipayPublic, signatures.get(body)!)) throw new Error("alipay floor: signature");
    },
  };
}

/** VksPay (易支付): form fields signed with MD5 over the sorted fields and the key. */
function vkspay(keys: ReturnType<typeof loadOrCreateVkspaySandboxKeys>): ProviderCase {
  const contents = new Map<string, string>();
  return {
    label: "vkspay",
    provider: () => vkspayProvider,
    name: "vkspay",
    mode: "h5",
    flat: true,
    config: { mchId: keys.mchId, key: keys.key, gatewayUrl: "http://bench.invalid" },
    order: { mch_id: keys.mchId },
    message(outTradeNo) {
      const params: Record<string, string> = {
        pid: keys.mchId,
        trade_no: `2026${outTradeNo}`,
        out_trade_no: outTradeNo,
        type: "alipay",
        name: "账户充值",
        money: fenToYuan(AMOUNT),
        trade_status: "TRADE_SUCCESS",
      };
      const body = new URLSearchParams({ ...params, sign: epaySign(params, keys.key), sign_type: "MD5" }).toString();
      contents.set(body, epaySignContent(params));
      return { headers: { "content-type": "application/x-www-form-urlencoded" }, body };
    },
    crypto({ body }) {
      createHash("md5")
        .update(`${contents.get(body)!}${keys.key}`)
        .digest("hex");
    },
  };
}

/** Huawei Payment Kit: a JSON callback signed SM2 (a pure-JS curve here, hence a costly floor) by the platform. */
function huawei(keys: ReturnType<typeof loadOrCreateHuaweiSandboxKeys>): ProviderCase {
  const platformPublic = parseSm2PublicKey(keys.platformPublicKeyHex);
  const signed = new Map<string, { content: string; signature: Buffer }>();
  return {
    label: "huawei",
    provider: () => huaweiProvider,
    name: "huawei",
    mode: "mp-harmony",
    config: {
      appId: keys.appId,
      mchId: keys.mchId,
      mchAuthId: keys.authId,
      mchPrivateKey: keys.merchantPrivateKeyPem,
      platformPublicKey: keys.platformPublicKeyHex,
      clientType: "mp-harmony",
      baseUrl: "http://bench.invalid",
    },
    order: { mch_id: keys.mchId, provider_appid: keys.appId },
    message(outTradeNo) {
      const fields: Record<string, string | number> = {
        callbackId: `c${outTradeNo}`,
        callbackTime: "2026-12-07 10:00:00",
        dataType: "plain",
        signType: "SM2",
        certNo: "sandbox-sm2-1",
        mercNo: keys.mchId,
        appId: keys.appId,
        sysTransOrderNo: `4${outTradeNo}`,
        mercOrderNo: outTradeNo,
        orderStatus: "TRX_SUCCESS",
        currency: "CNY",
        totalAmount: AMOUNT,
        payerAmount: AMOUNT,
        promotionAmount: 0,
        finishTime: "2026-12-07T10:00:00.000+0800",
      };
      const content = huaweiSignString(fields);
      const signature = sm2Sign(content, keys.platformPrivateKeyHex);
      const body = JSON.stringify({ ...fields, sign: signature.toString("base64") });
      signed.set(body, { content, signature });
      return { headers: { "content-type": "application/json;charset=UTF-8" }, body };
    },
    crypto({ body }) {
      const { content, signature } = signed.get(body)!;
      if (!sm2Verify(content, signature, platformPublic)) throw new Error("huawei floor: signature");
    },
  };
}

export async function benchProviderNotify(floor: StorageFloor): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-providers-"));
  try {
    const hooks = require("../../router/service/pay-notify/recharge") as HookModule;
    const cases = [
      wxpayV2(await loadOrCreateWxpaySandboxKeys(dir)),
      alipay(await loadOrCreateAlipaySandboxKeys(dir)),
      vkspay(loadOrCreateVkspaySandboxKeys(dir)),
      huawei(loadOrCreateHuaweiSandboxKeys(dir)),
      appleiap(await loadOrCreateAppleSandboxKeys(dir)),
      wxpayVirtual(await loadOrCreateXpaySandboxKeys(dir)),
      douyin(await loadOrCreateDouyinSandboxKeys(dir)),
    ];
    const rows: BenchRow[] = [];
    for (const spec of cases) rows.push(...(await measure(spec, dir, hooks, floor)));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
