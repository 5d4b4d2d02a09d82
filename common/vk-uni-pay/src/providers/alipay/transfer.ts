import { ConfigError, NetworkError, ValidationError } from "../../core/errors";
import { fenToYuan } from "../../core/money";
import type { ProviderRuntime, TransferPayee, TransferRef, TransferRequest, TransferState, TransferStatus } from "../../kernel/contract";
import { callAlipayOk } from "./client";
import type { AlipayMerchant } from "./merchant";
import { parseAlipayAmount } from "./protocol";

/**
 * Alipay 单笔转账 (`alipay.fund.trans.uni.transfer`, product TRANS_ACCOUNT_NO_PWD, scene DIRECT_TRANSFER)
 * and its query (`alipay.fund.trans.common.query`). Transfers to an Alipay account are synchronous: the
 * answer is SUCCESS or FAIL (DEALING and REFUND concern bank cards only). Alipay accepts fund transfers
 * signed in certificate mode only, so a key-mode config is refused before anything is sent.
 *
 * @see https://opendocs.alipay.com/open/62987723_alipay.fund.trans.uni.transfer
 * @see https://opendocs.alipay.com/open/58a29899_alipay.fund.trans.common.query
 */

const PRODUCT = { product_code: "TRANS_ACCOUNT_NO_PWD", biz_scene: "DIRECT_TRANSFER" } as const;
const USER_ID = /^2088\d{12}$/;
const PHONE = /^1\d{10}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IDENTITY_TYPES = new Set(["ALIPAY_USER_ID", "ALIPAY_LOGON_ID", "ALIPAY_OPEN_ID"]);

/** `identity_type` as given, or inferred: a 2088 user id, a logon id (phone or email), or else an open id. */
export function alipayIdentityType(payee: TransferPayee): string {
  if (payee.accountType) {
    if (!IDENTITY_TYPES.has(payee.accountType))
      throw new ValidationError(-1, "identity-type-invalid", "identity_type 只能是 ALIPAY_USER_ID、ALIPAY_LOGON_ID 或 ALIPAY_OPEN_ID");
    return payee.accountType;
  }
  if (USER_ID.test(payee.account)) return "ALIPAY_USER_ID";
  if (PHONE.test(payee.account) || EMAIL.test(payee.account)) return "ALIPAY_LOGON_ID";
  return "ALIPAY_OPEN_ID";
}

function requireCertificateMode(merchant: AlipayMerchant): void {
  if (!merchant.certificates)
    throw new ConfigError(
      "alipay-transfer-needs-cert",
      "支付宝转账仅支持证书模式，请在 alipay.transfer 中配置 appCertPath、alipayPublicCertPath 和 alipayRootCertPath",
    );
}

/** Alipay's statuses onto WeChat's states: SUCCESS and FAIL are final; anything else is still moving. */
function stateOf(status: unknown): TransferState {
  if (status === "SUCCESS") return "SUCCESS";
  if (status === "FAIL" || status === "CLOSED" || status === "REFUND") return "FAIL";
  return "PROCESSING";
}

function toStatus(answer: Record<string, unknown>, outBillNo: string, merchant: AlipayMerchant): TransferStatus {
  if (answer.out_biz_no !== undefined && answer.out_biz_no !== outBillNo) throw new NetworkError("支付宝返回的转账单与请求不一致，请稍后再试");
  const status: TransferStatus = { state: stateOf(answer.status), outBillNo, appId: merchant.appId, raw: answer };
  if (typeof answer.order_id === "string" && answer.order_id !== "") status.transferBillNo = answer.order_id;
  if (answer.trans_amount !== undefined) status.amount = parseAlipayAmount(answer.trans_amount, "trans_amount");
  const reason = answer.fail_reason ?? answer.error_code;
  if (typeof reason === "string" && reason !== "") status.failReason = reason;
  return status;
}

export async function alipayTransfer(request: TransferRequest, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<TransferStatus> {
  requireCertificateMode(merchant);
  const identityType = alipayIdentityType(request.payee);
  if (identityType === "ALIPAY_LOGON_ID" && !request.payee.realName)
    throw new ValidationError(1010, "real-name-missing", "收款方为支付宝登录号（手机号或邮箱）时，payee_real_name 不能为空");
  const other = request.other ?? {};
  const extra = (typeof other.payee_info === "object" && other.payee_info !== null ? other.payee_info : {}) as Record<string, unknown>;
  const answer = await callAlipayOk(
    merchant,
    runtime,
    {
      method: "alipay.fund.trans.uni.transfer",
      bizContent: {
        out_biz_no: request.outBillNo,
        trans_amount: fenToYuan(request.amount),
        ...PRODUCT,
        order_title: request.title ?? (request.remark || "转账"),
        ...(request.remark ? { remark: request.remark } : {}),
        payee_info: {
          identity: request.payee.account,
          identity_type: identityType,
          ...(request.payee.realName ? { name: request.payee.realName } : {}),
          ...(typeof extra.cert_type === "string" ? { cert_type: extra.cert_type } : {}),
          ...(typeof extra.cert_no === "string" ? { cert_no: extra.cert_no } : {}),
        },
        ...(other.payer_use_alias === true ? { business_params: JSON.stringify({ payer_show_name_use_alias: "true" }) } : {}),
      },
    },
    "转账失败",
  );
  return { ...toStatus(answer, request.outBillNo, merchant), amount: request.amount };
}

export async function queryAlipayTransfer(request: TransferRef, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<TransferStatus> {
  requireCertificateMode(merchant);
  const answer = await callAlipayOk(
    merchant,
    runtime,
    { method: "alipay.fund.trans.common.query", bizContent: { out_biz_no: request.outBillNo, ...PRODUCT } },
    "查询转账失败，请稍后再试",
  );
  return toStatus(answer, request.outBillNo, merchant);
}
