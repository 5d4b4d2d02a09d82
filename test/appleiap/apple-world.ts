import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAppleTestChain, signAppleJws, type AppleTestChain } from "../../scripts/sandbox/appleiap/chain";
import { appleiap } from "../../common/vk-uni-pay/src/providers/appleiap";
import { makeDeps } from "../helpers/deps";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";

/**
 * A merchant whose config trusts a test chain (by `trustedRootCertPaths`, as npm start writes it), the
 * appleiap provider on an in-memory database, and a way to sign transactions as the App Store would.
 */

export const BUNDLE = "com.example.vkpay";
export const APP_APPLE_ID = 1234567890;

export interface AppleWorld {
  chain: AppleTestChain;
  rootPath: string;
  config: Record<string, unknown>;
  deps: ReturnType<typeof makeDeps>;
  paid: string[];
  refunded: string[];
  /** The orders whose refundReversed hook ran, once per reversal. */
  reversed: string[];
  sign(transaction: Record<string, unknown>): string;
}

export async function appleChainOnDisk(ocspUrl?: string): Promise<{ chain: AppleTestChain; rootPath: string }> {
  const chain = await createAppleTestChain(ocspUrl ? { ocspUrl } : {});
  const dir = mkdtempSync(join(tmpdir(), "vk-apple-"));
  const rootPath = join(dir, "apple-sandbox-root.der");
  writeFileSync(rootPath, chain.root.certDer);
  return { chain, rootPath };
}

export function appleSubConfig(rootPath: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bundleId: BUNDLE,
    appAppleId: APP_APPLE_ID,
    sandbox: true,
    trustedRootCertPaths: [rootPath],
    // Test chains name no OCSP responder; online checking has its own tests (ocsp.test.ts).
    onlineChecks: false,
    products: {
      coins_60: { total_fee: 600, subject: "60金币" },
      vip_month: { total_fee: 2500, subject: "月度会员", maxQuantity: 1, type: "Non-Consumable" },
    },
    ...extra,
  };
}

export async function makeAppleWorld(
  options: { extra?: Record<string, unknown>; request?: ProviderRuntime["request"]; ocspUrl?: string } = {},
): Promise<AppleWorld> {
  const { chain, rootPath } = await appleChainOnDisk(options.ocspUrl);
  const paid: string[] = [];
  const refunded: string[] = [];
  const reversed: string[] = [];
  const config: Record<string, unknown> = {
    notifyUrl: { local: "https://example.com/http/vk-pay" },
    appleiap: { "app-plus": appleSubConfig(rootPath, options.extra) },
  };
  const deps = makeDeps({
    config: () => config,
    providers: [appleiap],
    now: () => Date.now(),
    ...(options.request ? { request: options.request } : {}),
    hooks: () => ({
      paid: ({ order }) => void paid.push(order.out_trade_no),
      refunded: ({ order }) => void refunded.push(order.out_trade_no),
      refundReversed: ({ order }) => void reversed.push(order.out_trade_no),
    }),
  });
  // The provider finds a refunded transaction's order through the library's database, as in production.
  (deps as { runtime: ProviderRuntime }).runtime = { ...deps.runtime, db: deps.db };
  return { chain, rootPath, config, deps, paid, refunded, reversed, sign: (transaction) => signAppleJws(chain, { signedDate: Date.now(), ...transaction }) };
}

export function transactionFor(
  orderInfo: { productId: string; appAccountToken: string; quantity: number },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    transactionId: String(2000000000000000 + Math.floor(Math.random() * 1e9)),
    originalTransactionId: "2000000000000001",
    bundleId: BUNDLE,
    productId: orderInfo.productId,
    quantity: orderInfo.quantity,
    appAccountToken: orderInfo.appAccountToken,
    type: "Consumable",
    inAppOwnershipType: "PURCHASED",
    purchaseDate: Date.now() - 5000,
    environment: "Sandbox",
    storefront: "CHN",
    currency: "CNY",
    price: 6000,
    ...overrides,
  };
}

/** A Server Notification V2 body posted to the app-plus notify path of `deps`, as Apple delivers it. */
export function deliverAppleNotification(deps: AppleWorld["deps"], signedPayload: string) {
  return processNotification(
    {
      path: "/vk-pay-notify/appleiap_app-plus",
      httpMethod: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signedPayload }),
    },
    "/vk-pay-notify/",
    deps,
  );
}
