/**
 * Stand-ins of `api.weixin.qq.com` login endpoints the payment flows need for an openid. Codes come from
 * the control action `issue-code`, as a client's wx.login / OAuth redirect would hand them out.
 * @see https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sandboxOpenid } from "./ids";

const CODE_TTL_MS = 5 * 60_000;

interface IssuedCode {
  openid: string;
  unionid?: string;
  appid?: string;
  expiresAt: number;
}

export interface SnsCodes {
  issue(input: { openid?: string; unionid?: string; appid?: string }): { code: string; openid: string };
  /** One use only: the code is gone after this, whatever the outcome. */
  take(code: string): IssuedCode | "used" | undefined;
}

export function createSnsCodes(now: () => number): SnsCodes {
  const codes = new Map<string, IssuedCode | "used">();
  return {
    issue(input) {
      const code = randomBytes(16).toString("hex");
      const openid = input.openid ?? sandboxOpenid(input.appid ?? "sandbox", code);
      codes.set(code, { openid, unionid: input.unionid, appid: input.appid, expiresAt: now() + CODE_TTL_MS });
      return { code, openid };
    },
    take(code) {
      const issued = codes.get(code);
      if (issued === undefined || issued === "used") return issued;
      codes.set(code, "used");
      return issued.expiresAt >= now() ? issued : undefined;
    },
  };
}

export interface SnsContext {
  codes: SnsCodes;
  apps: Map<string, string>;
}

function reply(res: ServerResponse, value: unknown, contentType: string): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

const rid = () => randomBytes(4).toString("hex");

/** Serves `/sns/jscode2session` and `/sns/oauth2/access_token`; returns false for other paths. */
export function serveSns(ctx: SnsContext, path: string, query: URLSearchParams, res: ServerResponse, req: IncomingMessage): boolean {
  const miniProgram = path === "/sns/jscode2session";
  if (!miniProgram && path !== "/sns/oauth2/access_token") return false;
  // jscode2session answers text/plain in production, a known quirk merchant code has to live with.
  const contentType = miniProgram ? "text/plain" : "application/json; encoding=utf-8";
  const fail = (errcode: number, errmsg: string) => reply(res, { errcode, errmsg: `${errmsg}, rid: ${rid()}` }, contentType);
  if (req.method !== "GET" && req.method !== "POST") {
    fail(43001, "require GET method");
    return true;
  }
  const appid = query.get("appid") ?? "";
  const secret = ctx.apps.get(appid);
  const code = query.get(miniProgram ? "js_code" : "code") ?? "";
  if (!secret) fail(40013, "invalid appid");
  else if (query.get("secret") !== secret) fail(40125, "invalid appsecret");
  else if (query.get("grant_type") !== "authorization_code") fail(40002, "invalid grant_type");
  else if (!code) fail(41008, "missing code");
  else {
    const issued = ctx.codes.take(code);
    if (issued === "used") fail(40163, "code been used");
    else if (!issued || (issued.appid !== undefined && issued.appid !== appid)) fail(40029, "invalid code");
    else if (miniProgram) {
      reply(
        res,
        { session_key: randomBytes(16).toString("base64"), openid: issued.openid, ...(issued.unionid ? { unionid: issued.unionid } : {}) },
        contentType,
      );
    } else {
      reply(
        res,
        {
          access_token: randomBytes(48).toString("base64url"),
          expires_in: 7200,
          refresh_token: randomBytes(48).toString("base64url"),
          openid: issued.openid,
          scope: "snsapi_base",
          is_snapshotuser: 0,
          ...(issued.unionid ? { unionid: issued.unionid } : {}),
        },
        contentType,
      );
    }
  }
  return true;
}
