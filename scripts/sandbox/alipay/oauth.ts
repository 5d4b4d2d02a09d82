/**
 * `alipay.system.oauth.token`: auth codes a mini program or H5 page obtains (`my.getAuthCode`), issued
 * here by the control action `issue-code`, exchanged once for the user's ids and an access token.
 * @see https://opendocs.alipay.com/open/02xtla (alipay.system.oauth.token)
 */
import { randomBytes } from "node:crypto";
import { sandboxBuyer } from "./ids";
import type { AlipaySandboxState } from "./state";
import { formatBeijing } from "./time";
import { invalidArgument } from "./types";

/** Auth codes are short-lived at Alipay; the sandbox keeps them 5 minutes of business time. */
const CODE_TTL_MS = 5 * 60 * 1000;
const TOKEN_TTL_SECONDS = 1296000;

interface Grant {
  appId: string;
  user_id: string;
  open_id: string;
  expires: number;
}

export type OauthCodes = ReturnType<typeof createOauthCodes>;

export function createOauthCodes(state: AlipaySandboxState) {
  const codes = new Map<string, Grant>();
  const refreshTokens = new Map<string, Grant>();

  function tokenFor(grant: Grant): Record<string, unknown> {
    const refresh = `authusrB${randomBytes(16).toString("hex")}`;
    refreshTokens.set(refresh, { ...grant, expires: state.businessNow() + 2 * TOKEN_TTL_SECONDS * 1000 });
    return {
      user_id: grant.user_id,
      open_id: grant.open_id,
      access_token: `authusrB${randomBytes(16).toString("hex")}`,
      expires_in: TOKEN_TTL_SECONDS,
      refresh_token: refresh,
      re_expires_in: 2 * TOKEN_TTL_SECONDS,
      auth_start: formatBeijing(state.businessNow()),
    };
  }

  return {
    /** Control: a code for `app_id` as the buyer `label` (stable ids per label), or for the ids given. */
    issue(input: { appId: string; label?: string; user_id?: string; open_id?: string }) {
      const buyer = sandboxBuyer(input.appId, input.label);
      const grant: Grant = {
        appId: input.appId,
        user_id: input.user_id ?? buyer.user_id,
        open_id: input.open_id ?? buyer.open_id,
        expires: state.businessNow() + CODE_TTL_MS,
      };
      const code = randomBytes(16).toString("hex");
      codes.set(code, grant);
      return { code, app_id: input.appId, user_id: grant.user_id, open_id: grant.open_id };
    },

    /** The response of `alipay.system.oauth.token`: no `code` field on success, `error_response` on failure. */
    exchange(appId: string, params: Record<string, string>): Record<string, unknown> {
      if (params.grant_type === "authorization_code") {
        const grant = codes.get(params.code ?? "");
        // A code works once, for the app it was issued to, within its lifetime.
        codes.delete(params.code ?? "");
        if (!grant || grant.appId !== appId || grant.expires < state.businessNow()) throw invalidArgument("isv.code-invalid", "授权码code无效");
        return tokenFor(grant);
      }
      if (params.grant_type === "refresh_token") {
        const grant = refreshTokens.get(params.refresh_token ?? "");
        refreshTokens.delete(params.refresh_token ?? "");
        if (!grant || grant.appId !== appId || grant.expires < state.businessNow())
          throw invalidArgument("isv.refresh-token-invalid", "刷新令牌refresh_token无效");
        return tokenFor(grant);
      }
      throw invalidArgument("isv.grant-type-invalid", "不支持的grant_type");
    },
  };
}
