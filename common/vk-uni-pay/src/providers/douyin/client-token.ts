import { cloudDatabase, single, type Database } from "../../core/database";
import { ConfigError, NetworkError, ProviderRejectedError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import { fenOf, postDouyinJson, recordOf, stringOf } from "./http";
import { DOUYIN_OPEN_HOST, type DouyinMerchant } from "./merchant";

/**
 * The client_token the trade system's server APIs (and the balance query) take in their `access-token`
 * header. Douyin issues it for two hours and asks that it be cached rather than fetched per call, so it
 * is kept in this process and in `vk-pay-douyin-tokens` (one document per app), where every cloud-function
 * instance finds it; it is fetched again a few minutes before it expires, or at once when an API says it
 * is no longer valid. The token is a secret: it is never logged nor returned to a caller.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/interface-request-credential/non-user-authorization/get-client_token
 */

export const DOUYIN_TOKENS_COLLECTION = "vk-pay-douyin-tokens";

/** A token this close to its expiry is replaced, so a call never starts with one that lapses in flight. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

const memory = new Map<string, CachedToken>();
const fetching = new Map<string, Promise<CachedToken>>();

/** The process cache is keyed by app and secret, so a rotated secret never reuses the old app's token. */
const cacheKey = (merchant: DouyinMerchant) => `${merchant.appId}\0${merchant.secret ?? ""}`;

function databaseOf(runtime: ProviderRuntime): Database | undefined {
  try {
    return runtime.db ?? cloudDatabase();
  } catch {
    // Outside uniCloud (a unit test without a database) the process cache alone serves.
    return undefined;
  }
}

async function readStored(db: Database | undefined, appId: string): Promise<CachedToken | undefined> {
  if (!db) return undefined;
  const doc = single<Record<string, unknown>>(await db.collection(DOUYIN_TOKENS_COLLECTION).doc(appId).get());
  const accessToken = stringOf(doc?.access_token);
  const expiresAt = fenOf(doc?.expire_time);
  return accessToken && expiresAt ? { accessToken, expiresAt } : undefined;
}

async function fetchToken(merchant: DouyinMerchant, runtime: ProviderRuntime): Promise<CachedToken> {
  if (!merchant.secret) throw new ConfigError("douyin-config-invalid", "抖音支付配置缺少 secret（AppSecret，用于获取 client_token）");
  const answer = await postDouyinJson(merchant, runtime, {
    host: DOUYIN_OPEN_HOST,
    path: "/oauth/client_token/",
    body: { client_key: merchant.appId, client_secret: merchant.secret, grant_type: "client_credential" },
  });
  const data = recordOf(answer.data);
  const errorCode = data?.error_code;
  if (errorCode !== undefined && errorCode !== 0 && errorCode !== "0") {
    const description = stringOf(data?.description) ?? "";
    throw new ProviderRejectedError(String(errorCode).slice(0, 32), description.slice(0, 200), "获取抖音 client_token 失败，请检查 appId 与 secret");
  }
  const accessToken = stringOf(data?.access_token);
  const expiresIn = fenOf(data?.expires_in);
  if (!accessToken || !expiresIn) throw new NetworkError("抖音支付返回了无法解析的 client_token，请稍后再试");
  const token = { accessToken, expiresAt: runtime.now() + expiresIn * 1000 };
  const db = databaseOf(runtime);
  if (db) {
    await db
      .collection(DOUYIN_TOKENS_COLLECTION)
      .doc(merchant.appId)
      .set({ app_id: merchant.appId, access_token: token.accessToken, expire_time: token.expiresAt, fetch_date: runtime.now() });
  }
  return token;
}

const fresh = (token: CachedToken | undefined, now: number): token is CachedToken => token !== undefined && token.expiresAt - REFRESH_MARGIN_MS > now;

/** A valid client_token for the merchant's app: from this process, the database, or Douyin (once per process at a time). */
export async function douyinClientToken(merchant: DouyinMerchant, runtime: ProviderRuntime, options: { renew?: boolean } = {}): Promise<string> {
  const key = cacheKey(merchant);
  const now = runtime.now();
  if (!options.renew) {
    const cached = memory.get(key);
    if (fresh(cached, now)) return cached.accessToken;
    const stored = await readStored(databaseOf(runtime), merchant.appId);
    if (fresh(stored, now)) {
      memory.set(key, stored);
      return stored.accessToken;
    }
  }
  let pending = fetching.get(key);
  if (!pending) {
    pending = fetchToken(merchant, runtime).finally(() => fetching.delete(key));
    fetching.set(key, pending);
  }
  const token = await pending;
  memory.set(key, token);
  return token.accessToken;
}

/**
 * Douyin's answers that say the token itself is bad (expired early, revoked by a secret reset): the call
 * is repeated once with a new one.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/interface-request-credential/non-user-authorization/get-client_token
 */
export function isTokenRejection(error: unknown): boolean {
  return error instanceof ProviderRejectedError && ["28001003", "28001008", "28001016", "40004"].includes(error.providerCode);
}

/** Runs a call with the app's token, and once more with a new token when Douyin refuses the first. */
export async function withClientToken<T>(merchant: DouyinMerchant, runtime: ProviderRuntime, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await douyinClientToken(merchant, runtime));
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
    return call(await douyinClientToken(merchant, runtime, { renew: true }));
  }
}
