import { createHash, createSign, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DouyinSandbox } from "../../../scripts/sandbox/douyin";
import { startProviderSpace } from "./provider-space";

/** A shop's own cloud function calling vk-uni-pay on the server (what no public route offers: the balance, settlement). */
const SHOP_FUNCTION = `"use strict";
const vkPay = require("vk-uni-pay");
exports.main = async (event, context) => {
  if (event.action === "balance") return vkPay.queryAccountBalance({ provider: "douyin" });
  // A multi-merchant order: the server picks the merchant (pid), never the client.
  if (event.action === "create") return vkPay.createPayment({ context, provider: "douyin", data: event.data });
  // Douyin's own calls, generated from the provider's capabilities: settlement and the answer to a buyer's refund.
  if (event.action === "createSettle") return vkPay.douyin.createSettle(event.params);
  if (event.action === "querySettle") return vkPay.douyin.querySettle(event.params);
  if (event.action === "auditRefund") return vkPay.douyin.auditRefund(event.params);
  return { code: -1, msg: "unknown action" };
};
`;

function addShopFunction(spaceDir: string): void {
  const dir = join(spaceDir, "cloudfunctions", "shop");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), SHOP_FUNCTION);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", main: "index.js", dependencies: { "vk-uni-pay": "file:../common/vk-uni-pay" } }));
}

/** Douyin's app in its mini-program container, as its requests read. */
const DOUYIN_USER_AGENT = "Mozilla/5.0 (iPhone) aweme ToutiaoMicroApp";

/**
 * The whole local product with its generated Douyin config, in 通用交易系统 (version 2) or, as
 * `DOUYIN_SANDBOX_VERSION=1 npm start` does, in 担保支付; a user `u1` and an admin; clients calling from a
 * Douyin mini program. Callbacks are built here with node:crypto alone, as Douyin's pages describe them.
 */
export async function startDouyinSpace(options: { version: 1 | 2 }) {
  const previous = process.env.DOUYIN_SANDBOX_VERSION;
  process.env.DOUYIN_SANDBOX_VERSION = String(options.version);
  let space: Awaited<ReturnType<typeof startProviderSpace<DouyinSandbox>>>;
  try {
    space = await startProviderSpace<DouyinSandbox>("douyin", "mp-toutiao", { prepareSpace: addShopFunction, userAgent: DOUYIN_USER_AGENT });
  } finally {
    if (previous === undefined) delete process.env.DOUYIN_SANDBOX_VERSION;
    else process.env.DOUYIN_SANDBOX_VERSION = previous;
  }
  return { ...space, call: space.callFunction, version: options.version, douyin: space.sandbox, keys: space.sandbox.keys };
}

export type DouyinSpace = Awaited<ReturnType<typeof startDouyinSpace>>;

/** A 通用交易系统 callback: Byte-Signature over `<timestamp>\n<nonce>\n<body>\n` with `privateKeyPem`. */
export function tradeCallback(type: string, msg: Record<string, unknown>, privateKeyPem: string) {
  const body = JSON.stringify({ version: "3.0", type, msg: JSON.stringify(msg) });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString("hex");
  const signature = createSign("RSA-SHA256").update(`${timestamp}\n${nonce}\n${body}\n`).sign(privateKeyPem, "base64");
  return { headers: { "content-type": "application/json", "byte-timestamp": timestamp, "byte-nonce-str": nonce, "byte-signature": signature }, body };
}

/** A 担保支付 callback: msg_signature = sha1 of the sorted token, timestamp, nonce and msg. */
export function ecpayCallback(type: string, msg: Record<string, unknown>, token: string) {
  const text = JSON.stringify(msg);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(1000 + (randomBytes(2).readUInt16BE() % 9000));
  const msgSignature = createHash("sha1").update([token, timestamp, nonce, text].sort().join("")).digest("hex");
  return { headers: { "content-type": "application/json" }, body: JSON.stringify({ timestamp, nonce, msg: text, msg_signature: msgSignature, type }) };
}
