import { ProviderRejectedError } from "../../core/errors";

/**
 * Answers that leave nothing open at WeChat: already closed (v3 ORDER_CLOSED, v2 ORDERCLOSED), and no such
 * order (v3 404 ORDER_NOT_EXIST, v2 ORDERNOTEXIST). The official pages do not say what a close of an
 * order WeChat never received answers (404 or 204; community reports differ), so both are taken as
 * closed: a buyer can only pay a prepay WeChat issued, so an order it does not know cannot be paid.
 */
const ALREADY_CLOSED = new Set(["ORDER_CLOSED", "ORDERCLOSED", "ORDER_NOT_EXIST", "ORDERNOTEXIST"]);

/**
 * Resolves when a close call succeeds or WeChat says the order is already closed: either way the order is
 * closed at WeChat, so the caller may mark it CLOSED. Every other refusal (ORDERPAID above all) stays a failure.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556398 (v3 关闭订单: 400 ORDER_CLOSED)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_3 (v2 关闭订单: ORDERCLOSED 订单已关闭，无需继续调用)
 */
export async function ignoreAlreadyClosed(closing: Promise<unknown>): Promise<void> {
  try {
    await closing;
  } catch (error) {
    if (error instanceof ProviderRejectedError && ALREADY_CLOSED.has(error.providerCode)) return;
    throw error;
  }
}
