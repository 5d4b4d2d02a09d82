import type { IncomingMessage, ServerResponse } from "node:http";
import { readRawBody, sendJson } from "../http";
import type { VkspaySandboxKeys } from "./keys";
import { md5Verifies } from "./sign";
import type { VkspaySandboxState, VkspayTrade } from "./state";

/**
 * 易支付's merchant API as the sandbox serves it, from the community documents (there is no official
 * specification): `mapi.php` takes a signed order and answers `{code:1, trade_no, qrcode | payurl}`;
 * `api.php?act=order` answers a trade to whoever sends `pid` and `key` in the clear; `api.php?act=refund`
 * refunds at once. `code` is 1 for success and negative for a refusal, as those documents show.
 */
export interface GatewayContext {
  state: VkspaySandboxState;
  keys: VkspaySandboxKeys;
  /** The known clone variant: `&key=` before the key in the MD5 string (off by default). */
  keySeparator: string;
  log: (line: string) => void;
}

const MONEY = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

async function paramsOf(req: IncomingMessage, url: URL): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  if (req.method === "POST") {
    const raw = await readRawBody(req);
    for (const [key, value] of new URLSearchParams(raw?.toString("utf8") ?? "")) params[key] = value;
  }
  return params;
}

function tradeView(trade: VkspayTrade): Record<string, unknown> {
  return {
    code: 1,
    msg: "查询订单号成功！",
    trade_no: trade.trade_no,
    out_trade_no: trade.out_trade_no,
    type: trade.type,
    pid: trade.pid,
    addtime: new Date(trade.addtime + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " "),
    ...(trade.endtime ? { endtime: new Date(trade.endtime + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ") } : {}),
    name: trade.name,
    money: trade.money,
    status: trade.status,
  };
}

function mapi(ctx: GatewayContext, params: Record<string, string>, publicBase: string): Record<string, unknown> {
  if (params.pid !== ctx.keys.mchId) return { code: -1, msg: "商户不存在" };
  if (!md5Verifies(params, ctx.keys.key, ctx.keySeparator)) return { code: -1, msg: "签名校验失败" };
  const { out_trade_no, type, notify_url, name, money } = params;
  if (type !== "wxpay" && type !== "alipay") return { code: -1, msg: "支付方式不存在" };
  if (!out_trade_no || out_trade_no.length > 64 || !notify_url || !name || !money || !MONEY.test(money) || Number(money) <= 0)
    return { code: -1, msg: "参数不完整或格式错误" };
  const existing = ctx.state.trade(out_trade_no);
  if (existing && (existing.money !== money || existing.status === 1)) return { code: -1, msg: "订单号已存在" };
  const trade: VkspayTrade = existing ?? {
    out_trade_no,
    trade_no: `2026${String(ctx.state.nextSequence()).padStart(12, "0")}`,
    pid: params.pid,
    type,
    name,
    money,
    notify_url,
    ...(params.return_url ? { return_url: params.return_url } : {}),
    ...(params.param ? { param: params.param } : {}),
    status: 0,
    refunded: "0.00",
    addtime: ctx.state.businessNow(),
  };
  ctx.state.putTrade(trade);
  const cashier = `${publicBase}/cashier?out_trade_no=${encodeURIComponent(trade.out_trade_no)}`;
  // A QR code for PC and a mini program's scan, a cashier link for a phone's browser or an App.
  return { code: 1, msg: "succ", trade_no: trade.trade_no, ...(params.device === "pc" ? { qrcode: cashier } : { payurl: cashier }) };
}

function api(ctx: GatewayContext, params: Record<string, string>): Record<string, unknown> {
  if (params.pid !== ctx.keys.mchId || params.key !== ctx.keys.key) return { code: -3, msg: "KEY校验失败" };
  const trade = params.out_trade_no ? ctx.state.trade(params.out_trade_no) : undefined;
  if (params.act === "order") return trade ? tradeView(trade) : { code: -1, msg: "订单号不存在" };
  if (params.act === "refund") {
    if (!trade) return { code: -1, msg: "订单号不存在" };
    if (trade.status !== 1) return { code: -1, msg: "订单未支付" };
    const money = params.money ?? "";
    if (!MONEY.test(money) || Number(money) <= 0) return { code: -1, msg: "退款金额不正确" };
    const refunded = Math.round(Number(trade.refunded) * 100) + Math.round(Number(money) * 100);
    if (refunded > Math.round(Number(trade.money) * 100)) return { code: -1, msg: "退款金额超过订单金额" };
    ctx.state.putTrade({ ...trade, refunded: (refunded / 100).toFixed(2) });
    return { code: 1, msg: "退款成功" };
  }
  return { code: -5, msg: "不支持的操作" };
}

export async function serveGateway(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL, path: string, publicBase: string): Promise<void> {
  const params = await paramsOf(req, url);
  const answer = path === "/mapi.php" ? mapi(ctx, params, publicBase) : api(ctx, params);
  if (answer.code !== 1) ctx.log(`vkspay sandbox: ${path} refused: ${String(answer.msg)}`);
  sendJson(res, 200, answer);
}
