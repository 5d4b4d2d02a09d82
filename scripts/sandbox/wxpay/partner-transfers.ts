/**
 * 商家转账 for a service provider (服务商): the direct-merchant bill rules (transfers.ts), plus the
 * provider–sub-merchant relation checked on every call and the bill kept with the sub-merchant paying.
 * A bill made over one kind of path is not found over the other, as the two APIs serve different merchants.
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469096 (发起转账: sub_mchid, Wechatpay-Serial 必填)
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469131 (商户单号查询转账单: query sub_mchid 选填)
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469118 (撤销转账: body sub_mchid 必填)
 */
import type { Route } from "./api";
import { checkSubMerchant } from "./partner";
import { formatRfc3339 } from "./time";
import type { SandboxBill } from "./transfers";
import { WxpayApiError, paramError } from "./types";

const BILLS = "\\/v3\\/fund-app\\/mch-transfer\\/partner\\/transfer-bills";

function notFound(): WxpayApiError {
  return new WxpayApiError(404, "NOT_FOUND", "记录不存在");
}

/** A direct-merchant call sees only the merchant's own bills, not those it made as a provider. */
export function directBill(bill: SandboxBill): SandboxBill {
  if (bill.sub_mchid) throw notFound();
  return bill;
}

/** A partner call sees only partner bills, and, when it names a sub-merchant, only that one's. */
function partnerBill(bill: SandboxBill, subMchid: string | undefined): SandboxBill {
  if (!bill.sub_mchid || (subMchid !== undefined && bill.sub_mchid !== subMchid)) throw notFound();
  return bill;
}

function requiredSub(body: Record<string, unknown>): string {
  const sub = body.sub_mchid;
  if (typeof sub !== "string" || sub === "") throw paramError("/sub_mchid", "is required");
  return sub;
}

export const PARTNER_TRANSFER_ROUTES: Route[] = [
  {
    method: "POST",
    pattern: new RegExp(`^${BILLS}$`),
    run(ctx, call) {
      const body = call.body();
      const sub = requiredSub(body);
      const subAppids = checkSubMerchant(call.merchant, call.merchant.mchid, sub);
      // Required here even without user_name, unlike the direct-merchant API where it is 选填.
      const serial = call.req.headers["wechatpay-serial"];
      if (typeof serial !== "string" || serial === "") throw new WxpayApiError(400, "PARAM_ERROR", "HTTP头Wechatpay-Serial不能为空");
      const bill = ctx.transfers.create(call.merchant.mchid, body, call.req, { subMchid: sub, appids: [...call.merchant.appids, ...subAppids] });
      return {
        status: 200,
        body: {
          out_bill_no: bill.out_bill_no,
          transfer_bill_no: bill.transfer_bill_no,
          create_time: formatRfc3339(bill.create_time),
          state: bill.state,
          ...(bill.fail_reason ? { fail_reason: bill.fail_reason } : {}),
          ...(bill.state === "WAIT_USER_CONFIRM" ? { package_info: bill.package_info } : {}),
        },
      };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${BILLS}\\/out-bill-no\\/([^/]+)$`),
    run(ctx, call) {
      const sub = call.query.get("sub_mchid") ?? undefined;
      if (sub !== undefined) checkSubMerchant(call.merchant, call.merchant.mchid, sub);
      const bill = partnerBill(ctx.transfers.find(call.merchant.mchid, { outBillNo: call.params[0] }), sub);
      return { status: 200, body: { ...ctx.transfers.view(bill), ...(bill.state === "WAIT_USER_CONFIRM" ? { package_info: bill.package_info } : {}) } };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^${BILLS}\\/out-bill-no\\/([^/]+)\\/cancel$`),
    run(ctx, call) {
      const sub = requiredSub(call.body());
      checkSubMerchant(call.merchant, call.merchant.mchid, sub);
      partnerBill(ctx.transfers.find(call.merchant.mchid, { outBillNo: call.params[0] }), sub);
      const bill = ctx.transfers.cancel(call.merchant.mchid, call.params[0]!);
      return {
        status: 200,
        body: {
          sub_mchid: sub,
          out_bill_no: bill.out_bill_no,
          transfer_bill_no: bill.transfer_bill_no,
          state: bill.state,
          update_time: formatRfc3339(bill.update_time),
        },
      };
    },
  },
];
