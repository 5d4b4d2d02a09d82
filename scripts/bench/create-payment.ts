import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CreateRequest, ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { alipaySandboxConfig, loadOrCreateAlipaySandboxKeys, loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig } from "../sandbox/pki";
import { createDatabase } from "../uni-cloud-mock/src/database";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { median, type BenchRow } from "./table";

/**
 * Issue 19, part 3: createPayment's own CPU for WeChat v3 JSAPI and Alipay App, against the RSA work it
 * cannot avoid. The provider's HTTP client answers from memory with a reply signed once before timing,
 * so the sandbox's time (its own signing, its HTTP) is not counted: what is left is our request
 * building, signing, the reply's verification and the client's pay parameters.
 *
 * - JSAPI: sign the Authorization header, verify the reply, sign paySign: two RSA signs and one verify;
 * - Alipay App (trade.app.pay): a signed order string, no HTTP call: one RSA sign.
 */

const CALLS = 200;
const ROUNDS = 3;

function cpuMs(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

async function perCall(work: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round <= ROUNDS; round += 1) {
    const started = process.cpuUsage();
    for (let i = 0; i < CALLS; i += 1) await work(round * CALLS + i);
    // Round 0 warms up (key parsing, JIT): not counted.
    if (round > 0) samples.push(cpuMs(started) / CALLS);
  }
  return median(samples);
}

function request(mode: string, outTradeNo: string, config: Record<string, unknown>): CreateRequest {
  return {
    mode,
    config,
    outTradeNo,
    totalFee: 1234,
    subject: "账户充值",
    notifyUrl: `https://fc-mp-1.next.bspapp.com/http/vk-pay/vk-pay-notify/wxpay_mp-weixin/${outTradeNo}`,
    clientIp: "203.0.113.7",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
  };
}

export async function benchCreatePayment(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-create-"));
  const database = createDatabase({ file: ":memory:" });
  try {
    const wx = await loadOrCreateWxpaySandboxKeys(dir);
    const ali = await loadOrCreateAlipaySandboxKeys(dir);
    const wxConfig = wxpaySandboxConfig(wx, "http://bench.invalid");
    const replyBody = JSON.stringify({ prepay_id: "wx201410272009395522657a690389285100" });
    // Signed by "WeChat" once, outside the timing: the sandbox's share of a real round trip.
    const replyHeaders = signResponse({ body: replyBody, privateKey: createPrivateKey(wx.wxpayPublicKeyPrivatePem), serial: wx.wxpayPublicKeyId });
    const runtime: ProviderRuntime = {
      now: () => Date.now(),
      request: async () => ({
        status: 200,
        headers: Object.fromEntries(Object.entries(replyHeaders).map(([k, v]) => [k.toLowerCase(), v])),
        data: Buffer.from(replyBody),
      }),
    };
    const wxpay = createWxpayProvider({ database: () => database as unknown as Database, log: () => undefined });
    const alipay = createAlipayProvider({ wait: async () => undefined });
    const aliConfig = alipaySandboxConfig(ali, "http://bench.invalid");

    // Once, untimed: both calls must really produce the client's pay parameters.
    const jsapiInfo = (await wxpay.createPayment(request("mp-weixin", "J-check", wxConfig), runtime)).orderInfo as Record<string, unknown>;
    const appInfo = (await alipay.createPayment(request("app-plus", "A-check", aliConfig), runtime)).orderInfo;
    if (typeof jsapiInfo?.paySign !== "string" || typeof appInfo !== "string" || !appInfo.includes("sign=")) {
      throw new Error(`createPayment bench: unexpected pay parameters ${JSON.stringify({ jsapiInfo, appInfo })}`);
    }
    const jsapi = await perCall((i) => wxpay.createPayment(request("mp-weixin", `J${i}`, wxConfig), runtime));
    const app = await perCall((i) => alipay.createPayment(request("app-plus", `A${i}`, aliConfig), runtime));

    // The floor: the same RSA operations on strings of the same size, keys parsed once.
    const merchantKey = createPrivateKey(readFileSync(wxConfig.appPrivateKeyPath as string));
    const platformPublic = createPublicKey(wx.wxpayPublicKeyPem);
    const platformPrivate = createPrivateKey(wx.wxpayPublicKeyPrivatePem);
    const message = `POST\n/v3/pay/transactions/jsapi\n1700000000\n${"n".repeat(32)}\n${JSON.stringify(request("mp-weixin", "J0", {}))}\n`;
    const replySignature = sign("sha256", Buffer.from(message), platformPrivate);
    const jsapiFloor = await perCall(() => {
      sign("sha256", Buffer.from(message), merchantKey);
      verify("sha256", Buffer.from(message), platformPublic, replySignature);
      sign("sha256", Buffer.from(`wx1\n1700000000\n${"n".repeat(32)}\nprepay_id=wx2014\n`), merchantKey);
    });
    const alipayKey = createPrivateKey(ali.keyApp.appPrivateKeyPem);
    const orderString = `app_id=2021000000000000&biz_content=${"x".repeat(300)}&charset=utf-8&method=alipay.trade.app.pay&sign_type=RSA2`;
    const appFloor = await perCall(() => sign("sha256", Buffer.from(orderString), alipayKey));
    return [
      { name: "createPayment wxpay v3 JSAPI (CPU ms each)", value: jsapi, target: "—", ok: true },
      { name: "createPayment wxpay v3 JSAPI / RSA floor (2 signs + 1 verify)", value: jsapi / jsapiFloor, target: "—", ok: true },
      { name: "createPayment alipay App (CPU ms each)", value: app, target: "—", ok: true },
      { name: "createPayment alipay App / RSA floor (1 sign)", value: app / appFloor, target: "—", ok: true },
    ];
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
