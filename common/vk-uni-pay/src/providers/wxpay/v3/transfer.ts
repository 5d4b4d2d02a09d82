import { NetworkError, ValidationError } from "../../../core/errors";
import type { MerchantConfig, ProviderRuntime, TransferRef, TransferRequest, TransferState, TransferStatus } from "../../../kernel/contract";
import { readWxpayMerchant, type WxpayMerchant } from "../merchant";
import type { WxpayCall, WxpayResult } from "./client";
import { parseRfc3339 } from "./normalize";
import type { PlatformCertStore } from "./platform-certs";
import { encryptSensitiveField } from "./protocol";
import type { WxpaySubMerchant } from "./modes";
import { billsPath, confirmOptions, storedSubMerchantOf, subMchIdField, transferSubMerchantOf } from "./transfer-partner";

/**
 * WeChat 商家转账 (user-confirmation mode) over API v3: the bill, its query by either number, its cancel,
 * and the bill as the contract's TransferStatus. The old batch API (`/v3/transfer/batches`) is closed to
 * merchants activated since 2025-01-15 and is not used.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/transfer-to-user.html
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4013778940 (新旧版本说明)
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469096 (服务商: the same bill under /partner/, transfer-partner.ts)
 */

const STATES: readonly TransferState[] = ["ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING", "SUCCESS", "FAIL", "CANCELING", "CANCELLED"];

/** At ¥2000 or more WeChat requires the payee's real name, encrypted (doc: user_name). */
export const REAL_NAME_FROM_FEN = 200_000;

type Call = (merchant: WxpayMerchant, runtime: ProviderRuntime, call: WxpayCall) => Promise<WxpayResult>;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function malformed(): NetworkError {
  return new NetworkError("支付平台返回的转账单格式不正确，请稍后再试");
}

/**
 * A bill (transfer answer, query, cancel answer or decrypted `MCHTRANSFER.BILL.FINISHED` resource) → TransferStatus.
 * An unknown state stays ACCEPTED (pending), never final. In partner mode a bill naming another
 * sub-merchant is not this transfer's. The confirmation options are usable only while the bill waits for
 * the payee (mini program, JSAPI: `wx.requestMerchantTransfer`; App: the OpenSDK business view).
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012716430 (requestMerchantTransfer)
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4015273741 (App 调起)
 * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/get-transfer-bill-by-out-no.html
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012712115 (商家转账回调通知)
 */
export function toTransferStatus(value: unknown, merchant: WxpayMerchant, sub?: WxpaySubMerchant): TransferStatus {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed();
  const bill = value as Record<string, unknown>;
  const outBillNo = text(bill.out_bill_no);
  if (!outBillNo) throw malformed();
  const state = (STATES as readonly unknown[]).includes(bill.state) ? (bill.state as TransferState) : "ACCEPTED";
  const status: TransferStatus = { state, outBillNo, raw: bill };
  const billNo = text(bill.transfer_bill_no);
  if (billNo) status.transferBillNo = billNo;
  if (bill.transfer_amount !== undefined) {
    if (!Number.isSafeInteger(bill.transfer_amount)) throw malformed();
    status.amount = bill.transfer_amount as number;
  }
  // The direct answer says mch_id; a partner answer may name the provider as mchid or sp_mchid.
  const mchId = text(bill.mch_id) ?? text(bill.mchid) ?? text(bill.sp_mchid);
  if (mchId) status.mchId = mchId;
  const subMchId = text(bill.sub_mchid);
  if (sub && subMchId && subMchId !== sub.subMchId) throw malformed();
  if (subMchId ?? sub) status.subMchId = subMchId ?? sub!.subMchId;
  const appId = text(bill.appid);
  if (appId) status.appId = appId;
  const openid = text(bill.openid);
  if (openid) status.payeeAccount = openid;
  const failReason = text(bill.fail_reason);
  if (failReason) status.failReason = failReason;
  const updatedAt = parseRfc3339(bill.update_time);
  if (updatedAt !== undefined) status.updatedAt = updatedAt;
  const packageInfo = text(bill.package_info);
  if (packageInfo && state === "WAIT_USER_CONFIRM") status.confirmInfo = confirmOptions(merchant, sub, appId, packageInfo);
  return status;
}

/** The config's defaults fill what the seed's shape lacks: `defaultSceneId`, `defaultSceneReportInfos`, `defaultUserRecvPerception`. */
function sceneOf(config: MerchantConfig, other: Readonly<Record<string, unknown>>) {
  const sceneId = other.transfer_scene_id ?? config.defaultSceneId;
  if ((typeof sceneId !== "string" && typeof sceneId !== "number") || String(sceneId) === "")
    throw new ValidationError(-1, "transfer-scene-missing", "缺少转账场景 transfer_scene_id（或在 wxpay.transfer.defaultSceneId 中配置）");
  const infos = other.transfer_scene_report_infos ?? config.defaultSceneReportInfos;
  if (!Array.isArray(infos) || infos.length === 0 || !infos.every((info) => typeof info?.info_type === "string" && typeof info?.info_content === "string"))
    throw new ValidationError(
      -1,
      "transfer-scene-report-missing",
      "缺少转账场景报备信息 transfer_scene_report_infos（或在 wxpay.transfer.defaultSceneReportInfos 中配置）",
    );
  const perception = other.user_recv_perception ?? config.defaultUserRecvPerception;
  return {
    transfer_scene_id: String(sceneId).replace(/-.*$/, ""),
    transfer_scene_report_infos: infos.map((info) => ({ info_type: info.info_type, info_content: info.info_content })),
    ...(typeof perception === "string" && perception !== "" ? { user_recv_perception: perception } : {}),
  };
}

export function createWxpayTransfers(call: Call, certs: PlatformCertStore) {
  return {
    /**
     * `user_name` is encrypted (RSA-OAEP) for the WeChat Pay public key or platform certificate whose id
     * then goes in `Wechatpay-Serial`; it is required at ¥2000 or more and sent whenever the caller gives it.
     *
     * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/transfer-to-user.html
     */
    async transfer(request: TransferRequest, runtime: ProviderRuntime): Promise<TransferStatus> {
      const merchant = readWxpayMerchant(request.config);
      const sub = transferSubMerchantOf(request.config);
      const other = request.other ?? {};
      if (request.amount >= REAL_NAME_FROM_FEN && !request.payee.realName)
        throw new ValidationError(1010, "real-name-missing", "转账金额达到2000元时，收款用户姓名 user_name 不能为空");
      // The app the payee's openid belongs to: the caller's, else the sub-merchant's, else the merchant's own.
      const appId = text(other.appid) ?? sub?.subAppId ?? merchant.appId;
      if (!appId) throw new ValidationError(-1, "appid-missing", "缺少转账 appid（与收款用户 openid 对应的 AppID）");
      const body: Record<string, unknown> = {
        ...subMchIdField(sub),
        appid: appId,
        out_bill_no: request.outBillNo,
        ...sceneOf(request.config, other),
        openid: request.payee.account,
        transfer_amount: request.amount,
        transfer_remark: request.remark || "转账",
      };
      if (request.notifyUrl) body.notify_url = request.notifyUrl;
      let encryptedFor: string | undefined;
      // The partner API marks Wechatpay-Serial 必填 even without user_name (doc 4015469096).
      if (request.payee.realName || sub) {
        const key = await certs.encryptionKey(merchant, runtime);
        encryptedFor = key.serial;
        if (request.payee.realName) body.user_name = encryptSensitiveField(request.payee.realName, key.publicKey);
      }
      const answer = await call(merchant, runtime, {
        method: "POST",
        path: billsPath(sub),
        body,
        ...(encryptedFor ? { encryptedFor } : {}),
        failureMessage: "发起转账失败",
      });
      const status = toTransferStatus({ appid: appId, ...answer.body }, merchant, sub);
      if (status.outBillNo !== request.outBillNo) throw malformed();
      return status;
    },

    /**
     * A service provider asks by out_bill_no (the partner query this library uses, doc 4015469131) and
     * checks that the answer carries the asked transfer_bill_no, so both lookups stay bound to the bill.
     *
     * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/get-transfer-bill-by-no.html
     * @see https://pay.weixin.qq.com/doc/v3/partner/4015469131 (服务商 商户单号查询转账单)
     */
    async queryTransfer(request: TransferRef, runtime: ProviderRuntime): Promise<TransferStatus> {
      const merchant = readWxpayMerchant(request.config);
      const sub = storedSubMerchantOf(request.config, request.partner);
      const path =
        request.transferBillNo && !sub
          ? `${billsPath(sub)}/transfer-bill-no/${encodeURIComponent(request.transferBillNo)}`
          : `${billsPath(sub)}/out-bill-no/${encodeURIComponent(request.outBillNo)}`;
      const answer = await call(merchant, runtime, {
        method: "GET",
        path,
        ...(sub ? { query: subMchIdField(sub) } : {}),
        failureMessage: "查询转账失败，请稍后再试",
      });
      const status = toTransferStatus(answer.body, merchant, sub);
      if (status.outBillNo !== request.outBillNo) throw malformed();
      if (request.transferBillNo && status.transferBillNo !== request.transferBillNo) throw malformed();
      return status;
    },

    /**
     * Any non-final state may be cancelled (WeChat staff: TRANSFERING too); the answer is CANCELING or CANCELLED.
     *
     * @see https://pay.weixin.qq.com/doc/v3/merchant/4012716458 (撤销转账)
     * @see https://pay.weixin.qq.com/doc/v3/partner/4015469118 (服务商 撤销转账: body sub_mchid)
     */
    async cancelTransfer(request: TransferRef, runtime: ProviderRuntime): Promise<TransferStatus> {
      const merchant = readWxpayMerchant(request.config);
      const sub = storedSubMerchantOf(request.config, request.partner);
      const answer = await call(merchant, runtime, {
        method: "POST",
        path: `${billsPath(sub)}/out-bill-no/${encodeURIComponent(request.outBillNo)}/cancel`,
        ...(sub ? { body: subMchIdField(sub) } : {}),
        failureMessage: "撤销转账失败",
      });
      const status = toTransferStatus(answer.body, merchant, sub);
      if (status.outBillNo !== request.outBillNo) throw malformed();
      return status;
    },
  };
}
