import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { loadOrCreateWxpaySandboxKeys } from "../pki";
import { randomAlphanumeric } from "../pki/files";
import { readTextFile, writeSecretFile } from "../pki/files";

/**
 * The xpay sandbox's secrets, made once per data directory: the mini program is the WeChat sandbox's
 * (same app id and secret, so the session keys its login stores sign virtual payments too), with its own
 * offer id, AppKeys (production and sandbox) and message-push Token and EncodingAESKey.
 */
export interface XpaySandboxKeys {
  appId: string;
  appSecret: string;
  offerId: string;
  appKey: string;
  sandboxAppKey: string;
  token: string;
  encodingAESKey: string;
}

/** The items of the sandbox's back office (道具), with their published prices in fen. */
export const XPAY_SANDBOX_GOODS: Readonly<Record<string, { price: number; subject: string }>> = Object.freeze({
  "drama-episode": { price: 100, subject: "短剧单集" },
  "drama-season": { price: 1990, subject: "短剧全集" },
});

/** Coins per yuan, as published in the sandbox's back office. */
export const XPAY_SANDBOX_RATE = 100;

export async function loadOrCreateXpaySandboxKeys(dataDir: string): Promise<XpaySandboxKeys> {
  const wechat = await loadOrCreateWxpaySandboxKeys(dataDir);
  const file = join(dataDir, "sandbox", "wxpay-virtual", "keys.json");
  const saved = readTextFile(file);
  const own = saved
    ? (JSON.parse(saved) as Omit<XpaySandboxKeys, "appId" | "appSecret">)
    : {
        offerId: `1450${randomBytes(3).readUIntBE(0, 3).toString().padStart(8, "0")}`,
        appKey: randomAlphanumeric(32),
        sandboxAppKey: randomAlphanumeric(32),
        token: randomAlphanumeric(32),
        // 43 base64 characters whose last one carries no stray bits: 32 bytes exactly.
        encodingAESKey: randomBytes(32).toString("base64").slice(0, 43),
      };
  if (!saved) writeSecretFile(file, JSON.stringify(own));
  return { appId: wechat.appId, appSecret: wechat.appSecret, ...own };
}
