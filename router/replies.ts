import type { InputBoundsProblem } from "../common/vk-uni-pay/src/core/input-bounds";
import type { FailureReply, SuccessReply } from "./types";

export function success(data?: unknown): SuccessReply {
  return data === undefined ? { code: 0, msg: "success" } : { code: 0, msg: "success", data };
}

export function failure(code: number, errCode: string, msg: string): FailureReply {
  return { code, msg, errCode: `vk-pay-${errCode}` };
}

/** The router's own refusals (SPEC section 5), each with a stable code. */
export const refusals = {
  urlMissing: () => failure(-1, "url-missing", "url不能为空"),
  urlInvalid: () => failure(-1, "url-invalid", "url格式不正确"),
  urlDotDot: () => failure(-1, "url-dotdot", "url不允许带.."),
  urlForbidden: () => failure(-1, "url-forbidden", "禁止访问"),
  dataInvalid: () => failure(-1, "data-invalid", "data必须是对象"),
  dataOutOfBounds: (problem: InputBoundsProblem) => failure(-1, problem.reason, problem.message),
  bodyInvalid: () => failure(-1, "body-invalid", "请求体必须是JSON对象"),
  bodyTooLarge: () => failure(-1, "body-too-large", "请求体过大"),
  notFound: (url: string) => failure(404, "route-not-found", `接口 ${url} 不存在`),
  forbidden: () => failure(403, "forbidden", "权限不足"),
  internal: () => failure(500, "internal-error", "服务器内部错误，请稍后再试"),
};
