import { ValidationError } from "../../core/errors";
import type { PartnerRef } from "../../kernel/contract";
import type { HuaweiMerchant } from "./merchant";

/**
 * Direct merchant or service provider: which Payment Kit APIs a call goes to, and how the preorder names
 * the merchant. A service provider (平台类商户/服务商) collects for a sub-merchant: the sub-config's
 * `subMchId`, or the order's `sub_mchid` (vk-uni-pay's service-provider field), which wins when given.
 *
 * - Preorder: `/api/v2/partner/aggr/preorder/create/{app|fa}` with `spAppId`, `spMercNo`, `subMercNo` and an
 *   optional `subAppId` in place of `appId` and `mercNo`.
 * - Order query: `/api/v2/partner/aggr/transactions/merc-orders/{mercOrderNo}`, whose answer adds `spMercNo`
 *   and `subMercNo`.
 * - Refund and refund query: `/api/v1/partner/aggr/transactions/refunds` and `…/refunds/orders/{sysRefundOrderNo}`,
 *   with the same body as a direct merchant's (the caller's PayMercAuth names the provider).
 *
 * @see https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/payment-partner-pas-prepay
 * @see https://developer.huawei.com/consumer/en/doc/doccenter-references/api/payment-agent-prepay/
 * @see https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/payment-agent-merc-query-order
 * @see https://developer.huawei.com/consumer/en/doc/doccenter-references/api/payment-agent-refund/
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-agent-sys-query-refund
 */

export interface HuaweiSubMerchant {
  subMercNo: string;
  subAppId?: string;
}

const SUB_MERC_NO = /^[0-9A-Za-z]{1,32}$/;

export function subMerchantOf(merchant: HuaweiMerchant, partner?: PartnerRef): HuaweiSubMerchant | undefined {
  const subMercNo = partner?.subMchId ?? merchant.subMchId;
  if (!subMercNo) return undefined;
  if (!SUB_MERC_NO.test(subMercNo)) throw new ValidationError(-1, "sub-mchid-invalid", "sub_mchid 格式不正确");
  const subAppId = partner?.subMchId ? partner.subAppId : merchant.subAppId;
  return subAppId ? { subMercNo, subAppId } : { subMercNo };
}

export interface HuaweiPaths {
  preorder(kind: "app" | "fa"): string;
  orderQuery(mercOrderNo: string): string;
  refund: string;
  refundQuery(sysRefundOrderNo: string): string;
}

function pathsUnder(prefix: "" | "/partner"): HuaweiPaths {
  return Object.freeze({
    preorder: (kind: "app" | "fa") => `/api/v2${prefix}/aggr/preorder/create/${kind}`,
    orderQuery: (no: string) => `/api/v2${prefix}/aggr/transactions/merc-orders/${encodeURIComponent(no)}`,
    refund: `/api/v1${prefix}/aggr/transactions/refunds`,
    refundQuery: (no: string) => `/api/v1${prefix}/aggr/transactions/refunds/orders/${encodeURIComponent(no)}`,
  });
}

const DIRECT = pathsUnder("");
const PARTNER = pathsUnder("/partner");

export function huaweiPaths(sub: HuaweiSubMerchant | undefined): HuaweiPaths {
  return sub ? PARTNER : DIRECT;
}

/** Who the preorder is for: the merchant itself, or the provider and its sub-merchant. */
export function preorderParties(merchant: HuaweiMerchant, sub: HuaweiSubMerchant | undefined): Record<string, string> {
  if (!sub) return { appId: merchant.appId, mercNo: merchant.mchId };
  return { spAppId: merchant.appId, spMercNo: merchant.mchId, subMercNo: sub.subMercNo, ...(sub.subAppId ? { subAppId: sub.subAppId } : {}) };
}

/** The fields naming the parties, which a caller's `other` may not replace in either mode. */
export const PARTY_FIELDS = ["appId", "mercNo", "spAppId", "spMercNo", "subMercNo", "subAppId"];
