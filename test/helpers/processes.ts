import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import { loadPrivateKey } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/keys";
import { encryptResource } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/resource";
import { signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/verify";
import { ROOT } from "../../scripts/build/paths";
import type { WxpaySandboxKeys } from "../../scripts/sandbox/pki";

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Emulator processes started by a test; each is registered before it is awaited, so none outlives the test. */
export const children: ChildProcess[] = [];

export function killChildren(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** `node --import tsx` rather than the tsx CLI: one process, so killing it leaves no orphan behind. */
export function startEmulatorProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "../e2e/workers/emulator-process.ts"), ...args], { cwd: ROOT });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk) => (err += chunk));
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("http://"));
      if (line) resolve({ child, url: line.trim() });
    });
    child.once("exit", (code, signal) => reject(new Error(`emulator process exited ${code ?? signal}: ${err}`)));
  });
}

/** The TRANSACTION.SUCCESS notification WeChat would send, signed and encrypted with the sandbox platform's keys. */
export function wxpayPaymentNotification(keys: WxpaySandboxKeys, outTradeNo: string, total: number): { headers: Record<string, string>; body: string } {
  const transaction = {
    mchid: keys.mchId,
    appid: keys.appId,
    out_trade_no: outTradeNo,
    transaction_id: `42000${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    trade_type: "NATIVE",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    success_time: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"),
    amount: { total, payer_total: total, currency: "CNY", payer_currency: "CNY" },
  };
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: new Date().toISOString(),
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: encryptResource({ plaintext: JSON.stringify(transaction), apiV3Key: keys.v3Key, associatedData: "transaction" }),
  });
  const headers = {
    "content-type": "application/json",
    ...signResponse({ body, privateKey: loadPrivateKey(keys.platformPrivateKeyPem), serial: keys.platformSerial }),
  };
  return { headers, body };
}
