import { failure, refusals } from "./replies";
import type { Access, FailureReply, RouterContext } from "./types";

interface CheckTokenResult {
  code: number;
  errCode?: string | number;
  uid?: string;
  role?: string[];
  token?: string;
  tokenExpired?: number;
}

interface UniIdCommon {
  createInstance(options: { context: RouterContext }): { checkToken(token: string): Promise<CheckTokenResult> };
}

export interface Caller {
  uid?: string;
  role: string[];
  /** Set when uni-id refreshed the token on the way: handed back to the client as `newToken`. */
  newToken?: { token: string; tokenExpired: number };
}

const TOKEN_INVALID = 30202;
const TOKEN_EXPIRED = 30203;

function loadUniId(): UniIdCommon {
  // Resolved at run time: in the cloud this is DCloud's uni-id-common, locally the emulator's stand-in.
  return require("uni-id-common") as UniIdCommon;
}

function tokenFailure(result: CheckTokenResult): FailureReply {
  if (result.code === TOKEN_EXPIRED) return failure(TOKEN_EXPIRED, "token-expired", "登录已过期，请重新登录");
  return failure(TOKEN_INVALID, "token-invalid", "登录状态无效，请重新登录");
}

/**
 * Settles who is calling before any handler runs. The user id comes from the verified token only;
 * a public route still learns the caller when a valid token is present, but never refuses one.
 */
export async function authenticate(access: Access, token: string | undefined, context: RouterContext): Promise<Caller | FailureReply> {
  if (!token) {
    if (access === "public") return { role: [] };
    return failure(TOKEN_INVALID, "token-missing", "请先登录");
  }
  const result = await loadUniId().createInstance({ context }).checkToken(token);
  if (result.code !== 0 || typeof result.uid !== "string" || !result.uid) {
    if (access === "public") return { role: [] };
    return tokenFailure(result);
  }
  const caller: Caller = { uid: result.uid, role: Array.isArray(result.role) ? result.role.filter((r) => typeof r === "string") : [] };
  if (typeof result.token === "string" && typeof result.tokenExpired === "number") {
    caller.newToken = { token: result.token, tokenExpired: result.tokenExpired };
  }
  if (access === "admin" && !caller.role.includes("admin")) return refusals.forbidden();
  return caller;
}
