import { ValidationError } from "../../../core/errors";
import type { MerchantConfig, PartnerRef } from "../../../kernel/contract";
import { optionalString, type WxpayMerchant } from "../merchant";
import { subMerchantOf, type WxpaySubMerchant } from "./modes";

/**
 * Who a 商家转账 bill is made for, and where it is sent. A transfer sub-config with `subMchId` is a
 * service provider's (服务商): `mchId` / `appId` are the provider's, the money leaves the sub-merchant
 * (`sub_mchid`, 出资商户号), and every call goes to the `/partner/` paths. Without it the merchant pays
 * from its own account over the direct-merchant paths.
 *
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469096 (服务商 发起转账: sub_mchid 必填)
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469131 (服务商 商户单号查询转账单: query sub_mchid)
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469118 (服务商 撤销转账: body sub_mchid 必填)
 */

const DIRECT_PATH = "/v3/fund-app/mch-transfer/transfer-bills";
const PARTNER_PATH = "/v3/fund-app/mch-transfer/partner/transfer-bills";

/** The sub-merchant a transfer sub-config pays from, checked as any sub_mchid that goes into a URL. */
export function transferSubMerchantOf(config: MerchantConfig): WxpaySubMerchant | undefined {
  const subMchId = optionalString(config, "subMchId");
  const subAppId = optionalString(config, "subAppId");
  if (!subMchId) {
    if (subAppId) throw new ValidationError(1000, "wxpay-sub-mchid-missing", "配置了 subAppId 时必须同时配置 subMchId");
    return undefined;
  }
  return subMerchantOf({ subMchId, ...(subAppId ? { subAppId } : {}) });
}

/**
 * The sub-merchant a stored transfer is asked about: the one its bill named (kept on the ledger), else
 * the config's. The config's `subAppId` belongs to the config's own `subMchId` only.
 */
export function storedSubMerchantOf(config: MerchantConfig, partner: PartnerRef | undefined): WxpaySubMerchant | undefined {
  const configured = transferSubMerchantOf(config);
  if (!partner?.subMchId || partner.subMchId === configured?.subMchId) return configured;
  return subMerchantOf({ subMchId: partner.subMchId });
}

export function billsPath(sub: WxpaySubMerchant | undefined): string {
  return sub ? PARTNER_PATH : DIRECT_PATH;
}

/** The sub_mchid every partner call names (the create and cancel bodies, the query string). */
export function subMchIdField(sub: WxpaySubMerchant | undefined): { sub_mchid?: string } {
  return sub ? { sub_mchid: sub.subMchId } : {};
}

/**
 * `requestMerchantTransfer`'s options: the provider's `mchId` plus `subMchId` in partner mode, and the
 * bill's app as `subAppId` when it is the sub-merchant's, `appId` otherwise (the doc: one of the two).
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestMerchantTransfer.html
 */
export function confirmOptions(merchant: WxpayMerchant, sub: WxpaySubMerchant | undefined, appId: string | undefined, packageInfo: string) {
  const app = appId ?? sub?.subAppId ?? merchant.appId;
  if (!sub) return { mchId: merchant.mchId, appId: app, package: packageInfo };
  const appField = app !== undefined && app === sub.subAppId ? { subAppId: app } : { appId: app };
  return { mchId: merchant.mchId, subMchId: sub.subMchId, ...appField, package: packageInfo };
}
