import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAlipaySandbox, type AlipaySandbox, type AlipaySandboxOptions } from "../../../scripts/sandbox/alipay";
import type { AlipaySandboxApp } from "../../../scripts/sandbox/pki";
import type { Emulator } from "../../../scripts/uni-cloud-mock/src";
import { mountSandbox } from "./mounted";
import { callGateway, signedParams, type CallOptions, type GatewayReply } from "./alipay-client";

export interface ReceivedForm {
  path: string;
  contentType: string | undefined;
  body: string;
  params: Record<string, string>;
}

/** A merchant's notify endpoint: records every form POST and answers the next queued body (default `success`). */
export async function startFormReceiver() {
  const received: ReceivedForm[] = [];
  const answers: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ path: req.url ?? "", contentType: req.headers["content-type"], body, params: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(answers.shift() ?? "success");
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** Answers the next deliveries with these bodies (anything but `success` makes Alipay retry). */
    answerNext: (...bodies: string[]) => answers.push(...bodies),
    async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedForm[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${received.length}`);
        await new Promise((wake) => setTimeout(wake, 20));
      }
      return received;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export type FormReceiver = Awaited<ReturnType<typeof startFormReceiver>>;

export interface AlipayHarness {
  emulator: Emulator;
  sandbox: AlipaySandbox;
  base: string;
  gateway: string;
  dataDir: string;
  receiver: FormReceiver;
  keyApp: AlipaySandboxApp;
  certApp: AlipaySandboxApp;
  call(app: AlipaySandboxApp, method: string, biz?: Record<string, unknown>, options?: CallOptions): Promise<GatewayReply>;
  control(action: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** The sandbox mounted in a real emulator on a random port, as `npm start` mounts it. */
export async function startAlipayHarness(options: Partial<AlipaySandboxOptions> = {}): Promise<AlipayHarness> {
  const mounted = await mountSandbox("alipay", options.dataDir, (dataDir) =>
    createAlipaySandbox({ notifyRetryDelaysMs: [20, 20], log: () => undefined, ...options, dataDir }),
  );
  const { sandbox, base } = mounted;
  const receiver = await startFormReceiver();
  const gateway = `${base}/gateway.do`;
  return {
    ...mounted,
    gateway,
    receiver,
    keyApp: sandbox.keys.keyApp,
    certApp: sandbox.keys.certApp,
    call: (app, method, biz, callOptions = {}) => callGateway(gateway, signedParams(sandbox.keys, app, method, biz, callOptions), callOptions),
    close: () => mounted.close(receiver),
  };
}

let counter = 0;
/** A fresh out_trade_no per call. */
export const newTradeNo = (prefix = "A") => `${prefix}${Date.now()}${String(++counter).padStart(4, "0")}`;
