import { failures, NetworkError, ValidationError } from "../../../core/errors";
import type { CallOrder, ProviderRuntime } from "../../../kernel/contract";
import { recordOf, stringOf } from "../http";
import type { DouyinTradeMerchant } from "../merchant";
import { callTrade } from "./order";

/**
 * 通用交易系统's settlement (结算及分账): money Douyin holds for a paid order becomes withdrawable only when
 * the developer asks for it, optionally sharing part of it with other merchants (`settle_params`, each
 * `{merchant_uid, amount}` in fen, sent as a JSON string); the rest goes to the seller. Douyin settles an
 * order once (`out_settle_no` is the developer's idempotency key) and answers `settle_id`.
 *
 * Before anything is sent the order must be paid, and the shares may not hand out more than what is left
 * of it after refunds: Douyin would refuse them too, but a share is money and is checked where it is asked.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/trade-system/general/trade_settle/settle_create
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/trade-system/general/trade_settle/settle_query
 */

const SETTLE_NO = /^[A-Za-z0-9_\-|*]{1,64}$/;
const MERCHANT_UID = /^[0-9A-Za-z_-]{1,64}$/;

const invalid = (reason: string, message: string, detail?: string) => new ValidationError(-1, reason, message, detail);

function settleNo(value: unknown): string {
  if (typeof value !== "string" || !SETTLE_NO.test(value)) throw invalid("out-settle-no-invalid", "out_settle_no 必须是 1-64 位字母、数字或 _-|*");
  return value;
}

interface Share {
  merchant_uid: string;
  amount: number;
}

function sharesOf(value: unknown, left: number): Share[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) throw invalid("settle-params-invalid", "settle_params 必须是 1-50 个分账方");
  const shares = value.map((entry) => {
    const share = recordOf(entry);
    const amount = share?.amount;
    if (!share || typeof share.merchant_uid !== "string" || !MERCHANT_UID.test(share.merchant_uid))
      throw invalid("settle-params-invalid", "settle_params 的 merchant_uid 格式不正确");
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
      throw invalid("settle-params-invalid", "settle_params 的 amount 必须是正整数（分）");
    return { merchant_uid: share.merchant_uid, amount };
  });
  const total = shares.reduce((sum, share) => sum + share.amount, 0);
  if (total > left) throw invalid("settle-amount-exceeds", "分账金额超过订单可结算金额", `shares ${total}, left after refunds ${left}`);
  return shares;
}

function paidOrder(order: CallOrder | undefined): CallOrder {
  if (!order) throw failures.orderNotFound();
  if (order.status !== "SUCCESS" && order.status !== "REFUND") throw failures.orderNotPaid();
  return order;
}

/** `douyin.createSettle({ out_trade_no, out_settle_no, settle_desc, settle_params?, ext? })`. */
export async function createTradeSettle(
  order: CallOrder | undefined,
  params: Readonly<Record<string, unknown>>,
  merchant: DouyinTradeMerchant,
  runtime: ProviderRuntime,
): Promise<Record<string, unknown>> {
  const paid = paidOrder(order);
  const outSettleNo = settleNo(params.out_settle_no);
  const description = params.settle_desc ?? "结算";
  if (typeof description !== "string" || !description || description.length > 80) throw invalid("settle-desc-invalid", "settle_desc 必须是 1-80 个字符");
  if (params.ext !== undefined && (typeof params.ext !== "string" || params.ext.length > 2048)) throw invalid("ext-invalid", "ext 必须是字符串");
  const shares = sharesOf(params.settle_params, paid.totalFee - paid.refundFee);
  const answer = await callTrade(
    merchant,
    runtime,
    "settle_create",
    {
      out_order_no: paid.outTradeNo,
      out_settle_no: outSettleNo,
      settle_desc: description,
      ...(shares ? { settle_params: JSON.stringify(shares) } : {}),
      ...(params.ext !== undefined ? { ext: params.ext } : {}),
    },
    "抖音结算申请失败",
  );
  const settleId = stringOf(recordOf(answer.data)?.settle_id);
  if (!settleId) throw new NetworkError("抖音支付返回的结算单缺少 settle_id，请稍后再试");
  return { out_trade_no: paid.outTradeNo, out_settle_no: outSettleNo, settle_id: settleId };
}

/**
 * `douyin.querySettle({ out_trade_no, out_settle_no? })`: the order's settlements as Douyin lists them
 * (`settle_status` INIT, PROCESSING, SUCCESS or FAIL), only those of this order. Douyin's pages were not
 * readable for the answer's shape: a list under `data.settle_list` or `data` itself is read (UNSETTLED; the
 * field names are houseme/bytedance's and SKIT's).
 */
export async function queryTradeSettle(
  order: CallOrder | undefined,
  params: Readonly<Record<string, unknown>>,
  merchant: DouyinTradeMerchant,
  runtime: ProviderRuntime,
): Promise<Record<string, unknown>> {
  if (!order) throw failures.orderNotFound();
  const by = params.out_settle_no === undefined ? { out_order_no: order.outTradeNo } : { out_settle_no: settleNo(params.out_settle_no) };
  const answer = await callTrade(merchant, runtime, "settle_query", by, "查询抖音结算失败");
  const data = answer.data;
  const listed = Array.isArray(data) ? data : recordOf(data)?.settle_list;
  const settles = (Array.isArray(listed) ? listed.map(recordOf) : []).filter(
    (entry): entry is Record<string, unknown> => entry !== undefined && stringOf(entry.out_order_no) === order.outTradeNo,
  );
  return { out_trade_no: order.outTradeNo, settles };
}
