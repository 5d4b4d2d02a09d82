import { cloudDatabase, single, type Database } from "../../core/database";
import { ValidationError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import { WX_SESSIONS } from "../wxpay/login";

/** The mini program's access token, one document per app id, shared by every function instance. */
export const WX_ACCESS_TOKENS = "vk-pay-wx-access-tokens";

export function databaseOf(runtime: ProviderRuntime): Database {
  return runtime.db ?? cloudDatabase();
}

/**
 * The user's session key, as `code2SessionWeixinMP` stored it (the same app id and openid). It signs the
 * user-state calls and never leaves the server. Absent means the user must log in again (WeChat answers
 * 268490009 for an expired one).
 */
export async function sessionKeyOf(appId: string, openid: string, runtime: ProviderRuntime): Promise<string> {
  const row = single<{ session_key?: unknown }>(await databaseOf(runtime).collection(WX_SESSIONS).doc(`${appId}:${openid}`).get());
  if (typeof row?.session_key !== "string" || !row.session_key) {
    throw new ValidationError(
      -1,
      "wxpay-virtual-session-missing",
      "用户登录态已失效，请重新登录小程序后再试",
      `no session key stored for ${appId}:${openid.slice(0, 64)}`,
    );
  }
  return row.session_key;
}

export interface StoredAccessToken {
  access_token: string;
  expires_at: number;
}

export async function storedAccessToken(appId: string, runtime: ProviderRuntime): Promise<StoredAccessToken | undefined> {
  const row = single<Partial<StoredAccessToken>>(await databaseOf(runtime).collection(WX_ACCESS_TOKENS).doc(appId).get());
  return typeof row?.access_token === "string" && typeof row.expires_at === "number"
    ? { access_token: row.access_token, expires_at: row.expires_at }
    : undefined;
}

export async function storeAccessToken(appId: string, token: StoredAccessToken, runtime: ProviderRuntime): Promise<void> {
  await databaseOf(runtime)
    .collection(WX_ACCESS_TOKENS)
    .doc(appId)
    .set({ appid: appId, ...token, fetch_date: runtime.now() });
}
