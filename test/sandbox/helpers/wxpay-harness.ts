import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createWxpaySandbox, type WxpaySandbox, type WxpaySandboxOptions } from "../../../scripts/sandbox/wxpay";
import type { Emulator } from "../../../scripts/uni-cloud-mock/src";
import { mountSandbox } from "./mounted";
import { callApi, type MerchantIdentity, type SignOverrides } from "./wxpay-merchant";

export interface ReceivedNotification {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  status: number;
}

/** A merchant's notify endpoint: records every POST and answers the next queued status (default 200). */
export async function startReceiver() {
  const received: ReceivedNotification[] = [];
  const statuses: number[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const status = statuses.shift() ?? 200;
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), status });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status < 300 ? "" : JSON.stringify({ code: "FAIL", message: "失败" }));
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** Answers the next deliveries with these statuses. */
    failNext: (...codes: number[]) => statuses.push(...codes),
    async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedNotification[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${received.length}`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 50);
        });
      }
      return received;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export interface Harness {
  emulator: Emulator;
  sandbox: WxpaySandbox;
  base: string;
  dataDir: string;
  merchant: MerchantIdentity;
  receiver: Receiver;
  api(method: "GET" | "POST", target: string, body?: unknown, overrides?: SignOverrides): ReturnType<typeof callApi>;
  control(action: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** A prepay body for `mode` that the sandbox accepts. */
  prepayBody(outTradeNo: string, extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** The sandbox mounted in a real emulator on a random port, as `npm start` mounts it. */
export async function startHarness(options: Partial<WxpaySandboxOptions> & { dataDir?: string } = {}): Promise<Harness> {
  const mounted = await mountSandbox("wxpay", options.dataDir, (dataDir) =>
    createWxpaySandbox({ notifyRetryDelaysMs: [20, 20], refundAutoSettleMs: false, log: () => undefined, ...options, dataDir }),
  );
  const { sandbox, base } = mounted;
  const receiver = await startReceiver();
  const merchant = { mchid: sandbox.keys.mchId, serial: sandbox.keys.merchantSerial, privateKeyPem: sandbox.keys.merchantPrivateKeyPem };
  return {
    ...mounted,
    merchant,
    receiver,
    api: (method, target, body, overrides) => callApi(base, merchant, method, target, body, overrides),
    prepayBody: (outTradeNo, extra = {}) => ({
      appid: sandbox.keys.appId,
      mchid: sandbox.keys.mchId,
      description: "沙箱测试商品",
      out_trade_no: outTradeNo,
      notify_url: `${receiver.url}/http/vk-pay/vk-pay-notify/wxpay_mp-weixin`,
      amount: { total: 1000, currency: "CNY" },
      payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
      ...extra,
    }),
    close: () => mounted.close(receiver),
  };
}

let counter = 0;
/** A fresh out_trade_no per call, valid for WeChat (6-32 of [0-9A-Za-z_-|*]). */
export const newOrderNo = (prefix = "T") => `${prefix}${Date.now()}${String(++counter).padStart(4, "0")}`;
