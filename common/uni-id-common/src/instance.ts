import { resolveTokenSettings, type TokenSettings } from "./config";
import { toFailure, UniIdError, type UniIdFailure } from "./errors";
import { signToken, verifyToken, versionAtLeast } from "./jwt";
import type { CheckTokenResult, CreateInstanceOptions, CreateTokenResult, UniIdDatabase, VerifiedPayload } from "./types";
import { assertAccountUsable, permissionsOf, recordToken, requireUser, rolesOf } from "./users";

/** Where time, configuration and the database enter: the public module binds the real ones. */
export interface UniIdDependencies {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** The parsed `uni-id/config.json` (an object or an array of per-app objects). */
  loadConfig: () => unknown;
  /** `uniCloud.database()`; undefined where there is none (tokens are then minted without being recorded). */
  database: () => UniIdDatabase | undefined;
}

export interface UniIdInstance {
  createToken(options: { uid: string; role?: string[]; permission?: string[] }): Promise<CreateTokenResult | UniIdFailure>;
  checkToken(token: string, options?: { autoRefresh?: boolean }): Promise<CheckTokenResult | UniIdFailure>;
  refreshToken(options: { token: string }): Promise<CreateTokenResult | UniIdFailure>;
}

/** Tokens from uni-id-common older than this are not in the user's `token` list. */
const TOKEN_LIST_SINCE = "1.0.10";

interface Caller {
  appId?: string;
  platform?: string;
  locale?: string;
  clientIP?: string;
}

function callerOf(options: CreateInstanceOptions): Caller {
  const { context, clientInfo } = options;
  if (context) return { appId: context.APPID, platform: context.PLATFORM, locale: context.LOCALE, clientIP: context.CLIENTIP };
  if (clientInfo) {
    return { appId: clientInfo.appId, platform: clientInfo.uniPlatform ?? clientInfo.platform, locale: clientInfo.locale, clientIP: clientInfo.clientIP };
  }
  return {};
}

function optionalStrings(value: unknown, param: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw new UniIdError("uni-id-param-required", { param });
  return value;
}

export function createUniIdInstance(options: CreateInstanceOptions, deps: UniIdDependencies): UniIdInstance {
  const caller = callerOf(options ?? {});
  let settings: TokenSettings | undefined;

  /** Read on first use, so a broken config is reported by the call (as a result), not by createInstance. */
  function tokenSettings(): TokenSettings {
    settings ??= resolveTokenSettings(options?.config ?? deps.loadConfig(), caller.appId, caller.platform);
    return settings;
  }

  /** uni-id's contract: its own failures are returned; anything else (a database outage) propagates. */
  async function guarded<T>(run: () => Promise<T>): Promise<T | UniIdFailure> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof UniIdError) return toFailure(error, caller.locale);
      throw error;
    }
  }

  async function mint(claims: { uid: string; role: string[]; permission: string[] } & Record<string, unknown>) {
    const { tokenSecret, tokenExpiresIn } = tokenSettings();
    const { token, payload } = await signToken(claims, tokenSecret, Math.floor(deps.now() / 1000), tokenExpiresIn);
    return { token, payload, tokenExpired: payload.exp * 1000 };
  }

  function requireDatabase(): UniIdDatabase {
    const db = deps.database();
    // Refreshing must consult the user row; without a database it cannot be done safely.
    if (!db) throw new Error("uni-id-common: uniCloud.database() is not available");
    return db;
  }

  /**
   * Replaces a verified token after checking the account as it is now: status, that the token was not
   * revoked (still in the user's list), and that it postdates `valid_token_date` (a password change).
   * Roles are re-read from the row so a role removed in the database is gone from the next token.
   */
  async function replaceToken(token: string, payload: VerifiedPayload) {
    const db = requireDatabase();
    const user = await requireUser(db, payload.uid);
    assertAccountUsable(user);
    if (versionAtLeast(payload.uniIdVersion, TOKEN_LIST_SINCE)) {
      const tokens = Array.isArray(user.token) ? user.token : [];
      if (!tokens.includes(token)) throw new UniIdError("uni-id-check-token-failed");
    }
    if (typeof user.valid_token_date === "number" && user.valid_token_date > payload.iat * 1000) {
      throw new UniIdError("uni-id-token-expired");
    }
    const role = rolesOf(user);
    const permission = await permissionsOf(db, role);
    const minted = await mint({ uid: payload.uid, role, permission });
    const recorded = await recordToken(db, payload.uid, minted.token, tokenSettings().maxTokenLength, {
      last_login_date: deps.now(),
      ...(caller.clientIP ? { last_login_ip: caller.clientIP } : {}),
    });
    // The row vanished between the read and the write: the new token would not be refreshable.
    if (!recorded) throw new UniIdError("uni-id-account-not-exists");
    return minted;
  }

  /** Inputs are checked rather than trusted: callers pass through values from client events. */
  async function createToken(input: { uid?: unknown; role?: unknown; permission?: unknown } | undefined): Promise<CreateTokenResult> {
    const { uid, role, permission } = input ?? {};
    if (typeof uid !== "string" || uid === "") throw new UniIdError("uni-id-param-required", { param: "uid" });
    let roles = optionalStrings(role, "role");
    let permissions = optionalStrings(permission, "permission");
    tokenSettings();
    const db = deps.database();
    if (!roles) {
      // Without roles given, the account's own roles are used, as uni-id does after a login.
      if (!db) throw new UniIdError("uni-id-param-required", { param: "role" });
      roles = rolesOf(await requireUser(db, uid));
    }
    permissions ??= await permissionsOf(db, roles);
    const { token, tokenExpired } = await mint({ uid, role: roles, permission: permissions });
    if (db) await recordToken(db, uid, token, tokenSettings().maxTokenLength);
    return { errCode: 0, token, tokenExpired };
  }

  async function checkToken(token: unknown, options: { autoRefresh?: boolean } | undefined): Promise<CheckTokenResult> {
    const autoRefresh = options?.autoRefresh ?? true;
    if (typeof token !== "string") throw new UniIdError("uni-id-check-token-failed");
    const { tokenSecret, tokenExpiresThreshold } = tokenSettings();
    const now = deps.now();
    const payload = await verifyToken(token, tokenSecret, Math.floor(now / 1000));
    let { role, permission } = payload;
    if (!role || !permission) {
      // Tokens from older uni-id versions carry no roles: the database is the source then.
      const db = requireDatabase();
      role ??= rolesOf(await requireUser(db, payload.uid));
      permission ??= await permissionsOf(db, role);
    }
    if (autoRefresh && payload.exp * 1000 - now < tokenExpiresThreshold * 1000) {
      const fresh = await replaceToken(token, payload);
      const { uniIdVersion: _v, ...claims } = fresh.payload;
      return { ...claims, code: 0, errCode: 0, token: fresh.token, tokenExpired: fresh.tokenExpired };
    }
    const { uniIdVersion: _v, ...claims } = payload;
    return { ...claims, role, permission, code: 0, errCode: 0 };
  }

  async function refreshToken(input: { token?: unknown } | undefined): Promise<CreateTokenResult> {
    const token = input?.token;
    if (typeof token !== "string" || token === "") throw new UniIdError("uni-id-param-required", { param: "token" });
    const { tokenSecret } = tokenSettings();
    const payload = await verifyToken(token, tokenSecret, Math.floor(deps.now() / 1000));
    const { token: fresh, tokenExpired } = await replaceToken(token, payload);
    return { errCode: 0, token: fresh, tokenExpired };
  }

  return {
    createToken: (input) => guarded(() => createToken(input)),
    checkToken: (token, checkOptions) => guarded(() => checkToken(token, checkOptions)),
    refreshToken: (input) => guarded(() => refreshToken(input)),
  };
}
