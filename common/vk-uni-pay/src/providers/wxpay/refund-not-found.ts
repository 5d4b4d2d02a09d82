import { ProviderRejectedError, RefundNotFoundError } from "../../core/errors";

/** WeChat's "no refund under this number" codes: v3 404 RESOURCE_NOT_EXISTS, v2 REFUNDNOTEXIST. */
const NO_SUCH_REFUND = new Set(["RESOURCE_NOT_EXISTS", "REFUNDNOTEXIST"]);

/**
 * A refund query WeChat answers with "no such refund" becomes RefundNotFoundError: the refund request never
 * arrived, and reconciliation sends it again under the same out_refund_no.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556437 (v3 查询单笔退款: 404 RESOURCE_NOT_EXISTS 退款单不存在)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (v2 查询退款: REFUNDNOTEXIST)
 */
export async function refundNotFoundAsTyped<T>(querying: Promise<T>): Promise<T> {
  try {
    return await querying;
  } catch (error) {
    if (error instanceof ProviderRejectedError && NO_SUCH_REFUND.has(error.providerCode))
      throw new RefundNotFoundError(error.providerCode, error.providerMessage);
    throw error;
  }
}
