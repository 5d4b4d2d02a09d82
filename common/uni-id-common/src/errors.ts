/** uni-id's string error codes (`<plugin-id>-<reason>`), as DCloud's module returns them. */
export type UniIdErrorCode =
  | "uni-id-check-token-failed"
  | "uni-id-token-expired"
  | "uni-id-param-required"
  | "uni-id-account-not-exists"
  | "uni-id-account-banned"
  | "uni-id-account-auditing"
  | "uni-id-account-audit-failed"
  | "uni-id-account-closed"
  | "uni-id-config-field-required"
  | "uni-id-config-field-invalid";

export interface UniIdFailure {
  errCode: UniIdErrorCode;
  errMsg: string;
  /** Only the two token failures carry the numeric code older callers (VK, routers) test. */
  code?: number;
}

/** Thrown inside this module and turned into a returned {@link UniIdFailure} at the public boundary. */
export class UniIdError extends Error {
  constructor(
    readonly errCode: UniIdErrorCode,
    readonly params: Record<string, string> = {},
  ) {
    super(errCode);
    this.name = "UniIdError";
  }
}

const NUMERIC_CODES: Partial<Record<UniIdErrorCode, number>> = {
  "uni-id-check-token-failed": 30202,
  "uni-id-token-expired": 30203,
};

type Messages = Record<UniIdErrorCode, string>;

const ZH_HANS: Messages = {
  "uni-id-check-token-failed": "登录状态失效，token校验未通过",
  "uni-id-token-expired": "登录状态失效，token已过期",
  "uni-id-param-required": "{param}不可为空",
  "uni-id-account-not-exists": "账号不存在",
  "uni-id-account-banned": "账号已禁用",
  "uni-id-account-auditing": "账号审核中",
  "uni-id-account-audit-failed": "账号审核失败",
  "uni-id-account-closed": "此账号已注销",
  "uni-id-config-field-required": "uni-id配置缺少{param}",
  "uni-id-config-field-invalid": "uni-id配置{param}无效",
};

const EN: Messages = {
  "uni-id-check-token-failed": "Check token failed",
  "uni-id-token-expired": "Token expired",
  "uni-id-param-required": "{param} is required",
  "uni-id-account-not-exists": "Account does not exist",
  "uni-id-account-banned": "Account is banned",
  "uni-id-account-auditing": "Account audit in progress",
  "uni-id-account-audit-failed": "Account audit failed",
  "uni-id-account-closed": "Account has been closed",
  "uni-id-config-field-required": "Config field required: {param}",
  "uni-id-config-field-invalid": "Config field is invalid: {param}",
};

/** uni-id ships `zh-Hans` and `en`; any English locale gets English, everything else the default. */
function messagesFor(locale: string | undefined): Messages {
  return locale && /^en\b/i.test(locale) ? EN : ZH_HANS;
}

export function toFailure(error: UniIdError, locale: string | undefined): UniIdFailure {
  const template = messagesFor(locale)[error.errCode];
  const errMsg = template.replace(/\{(\w+)\}/g, (_, key: string) => error.params[key] ?? "");
  const code = NUMERIC_CODES[error.errCode];
  return code === undefined ? { errCode: error.errCode, errMsg } : { errCode: error.errCode, errMsg, code };
}
