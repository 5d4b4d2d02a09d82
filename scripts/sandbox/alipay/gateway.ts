/**
 * `POST /gateway.do`: Alipay's OpenAPI gateway. Public parameters in the query string and/or the form
 * body, checks in Alipay's order (method, app, public parameters, certificate SNs, signature), then the
 * method. Every reply is HTTP 200 with the outcome in `code`; replies to known apps are signed over the
 * exact text of the `<method>_response` value.
 * @see https://opendocs.alipay.com/common/02kg67 (公共请求参数)
 * @see https://opendocs.alipay.com/common/02kdnf (同步响应验签)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { findApp, verifyAppRequest, type AppRegistry, type SandboxApp } from "./apps";
import { readRawBody, sendText } from "../http";
import { loseAnswer, type LostAnswers } from "../lost-answers";
import { METHODS, type MethodContext } from "./methods";
import { alipayJson, signRsa2 } from "./sign";
import { invalidArgument, missingArgument, OpenApiError } from "./types";
import { parseBizContent } from "./validate";

export interface GatewayContext extends MethodContext {
  registry: AppRegistry;
  log: (line: string) => void;
  /** Answers to lose after the method took effect (the control API's `drop-response`), matched by method name. */
  lostAnswers: LostAnswers;
}

/**
 * The response text: `{"<key>":{…},"alipay_cert_sn":"…","sign":"…"}`. The signature covers the value of
 * `<key>` character for character; an unknown app gets no signature, as Alipay has no key to use.
 */
export function renderResponse(responseKey: string, body: Record<string, unknown>, app: SandboxApp | undefined): string {
  const inner = alipayJson(body);
  if (!app) return `{"${responseKey}":${inner}}`;
  const certSn = app.alipayCertSn ? `,"alipay_cert_sn":"${app.alipayCertSn}"` : "";
  return `{"${responseKey}":${inner}${certSn},"sign":"${signRsa2(inner, app.alipayPrivateKey)}"}`;
}

const errorBody = (error: OpenApiError) => ({ code: error.code, msg: error.msg, sub_code: error.subCode, sub_msg: error.subMsg });

/** Query string first, then the form body (alipay-sdk splits public parameters and biz_content so). */
export function readParams(url: URL, body: string, contentType: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  // Form decoding turns `+` into a space, as Alipay's does: a client must percent-encode its values.
  if (body && (!contentType || /application\/x-www-form-urlencoded/i.test(contentType))) {
    for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  }
  return params;
}

export async function serveGateway(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL, publicBase: string): Promise<void> {
  // Alipay answers text/html even for JSON: clients must not depend on the content type.
  const reply = (key: string, body: Record<string, unknown>, app?: SandboxApp) => sendText(res, 200, renderResponse(key, body, app), "text/html;charset=utf-8");
  const raw = await readRawBody(req);
  if (raw === undefined) {
    reply("error_response", errorBody(invalidArgument("isv.invalid-parameter", "参数无效: 请求体过大")));
    return;
  }
  const params = readParams(url, raw.toString("utf8"), req.headers["content-type"]);
  if (!params.method) {
    reply("error_response", errorBody(missingArgument("isv.missing-method", "缺少方法名参数")));
    return;
  }
  const method = Object.prototype.hasOwnProperty.call(METHODS, params.method) ? METHODS[params.method] : undefined;
  if (!method) {
    reply("error_response", errorBody(invalidArgument("isv.invalid-method", "不存在的方法名")));
    return;
  }
  const responseKey = `${params.method.replace(/\./g, "_")}_response`;
  let app: SandboxApp;
  try {
    app = findApp(ctx.registry, params);
  } catch (error) {
    reply(responseKey, errorBody(error as OpenApiError));
    return;
  }
  try {
    verifyAppRequest(ctx.registry, app, params);
    const body = method.run(ctx, { app, params, biz: parseBizContent(params.biz_content), publicBase });
    // The method took effect; only its answer goes missing, as a timeout looks to the merchant.
    if (ctx.lostAnswers.take(params.method)) return loseAnswer(res);
    reply(responseKey, body, app);
  } catch (error) {
    if (error instanceof OpenApiError) {
      reply(method.errorsAsErrorResponse ? "error_response" : responseKey, errorBody(error), app);
      return;
    }
    ctx.log(`[alipay sandbox] ${params.method} failed: ${(error as Error)?.stack ?? String(error)}`);
    reply(responseKey, { code: "20000", msg: "Service Currently Unavailable", sub_code: "isp.unknow-error", sub_msg: "系统繁忙" }, app);
  }
}
