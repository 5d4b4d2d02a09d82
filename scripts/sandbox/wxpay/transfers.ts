/**
 * WeChat 商家转账 (user-confirmation mode) in the sandbox: bills, the payee's confirm or reject, the
 * 24-hour confirmation window on the business clock (afterwards FAIL with OVERDUE_CLOSE), cancel in any
 * non-final state, and the MCHTRANSFER.BILL.FINISHED notification for every final state. Bills are kept
 * in the sandbox state (`state.json`), so a restart of `npm start` keeps them, as WeChat would.
 * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/transfer-to-user.html
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012716458 (撤销转账)
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012712115 (商家转账回调通知)
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4013774966 (24小时未确认自动关闭)
 * @see https://pay.weixin.qq.com/doc/v3/partner/4015469096 (服务商: the same bill, paid by a sub_mchid; partner-transfers.ts)
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { WxpaySandboxKeys } from "../pki/wxpay-keys";
import { decrypt, decryptionKey } from "./abnormal-refund";
import type { Notifier } from "./notifier";
import type { PlatformCertificates } from "./platform";
import type { WxpaySandboxState } from "./state";
import { compactBeijing, formatRfc3339 } from "./time";
import { ControlError, WxpayApiError, paramError, type BillState, type SandboxBill } from "./types";

export type { BillState, SandboxBill } from "./types";

/** The scenes the sandbox merchant "has applied for": 现金营销 and 佣金报酬. */
const SCENES = new Set(["1000", "1005"]);
/** The sandbox merchant's per-transfer ceiling for those scenes (WeChat sets one per scene or merchant). */
export const SANDBOX_MAX_TRANSFER_FEN = 2_000_000;
const CONFIRM_WINDOW_MS = 24 * 3600_000;
const FINAL: readonly BillState[] = ["SUCCESS", "FAIL", "CANCELLED"];

/** A service provider's bill: the sub-merchant paying and the appids its openid may belong to. */
export interface BillParty {
  subMchid: string;
  appids: readonly string[];
}

export interface SandboxTransfers {
  create(mchid: string, body: Record<string, unknown>, req: IncomingMessage, party?: BillParty): SandboxBill;
  find(mchid: string, by: { outBillNo?: string; transferBillNo?: string }): SandboxBill;
  cancel(mchid: string, outBillNo: string): SandboxBill;
  /** The payee confirms (SUCCESS) or rejects (FAIL, fail_reason TRANSFER_REJECT) on the confirmation page. */
  settleByPayee(mchid: string, outBillNo: string, accept: boolean): SandboxBill;
  /** Puts a waiting bill in another non-final state WeChat may report (ACCEPTED, PROCESSING, TRANSFERING), as its back office would. */
  setPendingState(mchid: string, outBillNo: string, state: BillState): SandboxBill;
  /** The state new bills start in: WAIT_USER_CONFIRM (default), or ACCEPTED / PROCESSING, as WeChat answers while it still locks the funds. */
  setInitialState(state: BillState): void;
  /** Closes bills left unconfirmed for 24 hours of business time; returns their numbers. */
  expire(): string[];
  view(bill: SandboxBill): Record<string, unknown>;
}

export function createSandboxTransfers(options: {
  state: WxpaySandboxState;
  notifier: Notifier;
  keys: WxpaySandboxKeys;
  platform: PlatformCertificates;
}): SandboxTransfers {
  const state = options.state;
  const now = () => options.state.businessNow();

  const view = (bill: SandboxBill) => ({
    mch_id: bill.mch_id,
    ...(bill.sub_mchid ? { sub_mchid: bill.sub_mchid } : {}),
    out_bill_no: bill.out_bill_no,
    transfer_bill_no: bill.transfer_bill_no,
    appid: bill.appid,
    state: bill.state,
    transfer_amount: bill.transfer_amount,
    transfer_remark: bill.transfer_remark,
    ...(bill.fail_reason ? { fail_reason: bill.fail_reason } : {}),
    openid: bill.openid,
    create_time: formatRfc3339(bill.create_time),
    update_time: formatRfc3339(bill.update_time),
  });

  function finish(bill: SandboxBill, next: BillState, failReason?: string): SandboxBill {
    bill.state = next;
    if (failReason) bill.fail_reason = failReason;
    bill.update_time = now();
    state.putBill(bill);
    if (FINAL.includes(next) && bill.notify_url) {
      options.notifier.send({
        key: `transfer:${bill.mch_id}:${bill.out_bill_no}`,
        mchid: bill.mch_id,
        url: bill.notify_url,
        eventType: "MCHTRANSFER.BILL.FINISHED",
        summary: "商家转账单据终态通知",
        originalType: "mch_payment",
        resource: view(bill),
      });
    }
    return bill;
  }

  function find(mchid: string, by: { outBillNo?: string; transferBillNo?: string }): SandboxBill {
    const bill = by.outBillNo
      ? state.bill(mchid, by.outBillNo)
      : state.bills().find((candidate) => candidate.mch_id === mchid && candidate.transfer_bill_no === by.transferBillNo);
    if (!bill) throw new WxpayApiError(404, "NOT_FOUND", "记录不存在");
    return bill;
  }

  function overdue(bill: SandboxBill): boolean {
    return bill.state === "WAIT_USER_CONFIRM" && now() - bill.create_time >= CONFIRM_WINDOW_MS;
  }

  return {
    create(mchid, body, req, party) {
      const outBillNo = body.out_bill_no;
      if (typeof outBillNo !== "string" || !/^[A-Za-z0-9]{1,32}$/.test(outBillNo))
        throw paramError("/out_bill_no", "must be 1-32 letters or digits", outBillNo);
      const appids = party ? party.appids : [options.keys.appId];
      if (typeof body.appid !== "string" || !appids.includes(body.appid)) throw new WxpayApiError(400, "INVALID_REQUEST", "appid与商户号不匹配");
      const scene = body.transfer_scene_id;
      if (typeof scene !== "string" || !SCENES.has(scene)) throw new WxpayApiError(400, "INVALID_REQUEST", "转账场景ID不存在或未开通");
      const infos = body.transfer_scene_report_infos;
      if (!Array.isArray(infos) || infos.length === 0) throw paramError("/transfer_scene_report_infos", "is required");
      if (typeof body.openid !== "string" || body.openid === "") throw paramError("/openid", "is required");
      const amount = body.transfer_amount;
      if (!Number.isSafeInteger(amount)) throw paramError("/transfer_amount", "must be an integer", amount);
      if ((amount as number) < 10 || (amount as number) > SANDBOX_MAX_TRANSFER_FEN) throw new WxpayApiError(400, "INVALID_REQUEST", "超过单笔转账上下限");
      if (typeof body.transfer_remark !== "string" || body.transfer_remark === "" || body.transfer_remark.length > 32)
        throw paramError("/transfer_remark", "must be 1-32 characters", body.transfer_remark);
      let userName: string | undefined;
      if (body.user_name !== undefined) userName = decrypt("user_name", body.user_name, decryptionKey(req, options.keys, options.platform));
      if ((amount as number) >= 200_000 && !userName) throw new WxpayApiError(400, "PARAM_ERROR", "转账金额大于等于2000元时，收款用户姓名必填");
      const existing = state.bill(mchid, outBillNo);
      if (existing) {
        // The same number again is the same bill; different terms under it are refused.
        if (existing.openid !== body.openid || existing.transfer_amount !== amount || existing.sub_mchid !== party?.subMchid)
          throw new WxpayApiError(400, "INVALID_REQUEST", "商户单号重复，且请求参数与原单不一致");
        existing.requests += 1;
        state.putBill(existing);
        return existing;
      }
      const created = now();
      const bill: SandboxBill = {
        mch_id: mchid,
        ...(party ? { sub_mchid: party.subMchid } : {}),
        appid: body.appid,
        out_bill_no: outBillNo,
        transfer_bill_no: `1330${compactBeijing(created).slice(0, 8)}${randomBytes(10).toString("hex")}`,
        transfer_scene_id: scene,
        openid: body.openid,
        transfer_amount: amount as number,
        transfer_remark: body.transfer_remark,
        ...(userName ? { user_name: userName } : {}),
        ...(typeof body.notify_url === "string" ? { notify_url: body.notify_url } : {}),
        state: state.billInitialState(),
        package_info: `ABBQO+oYAAABAAAAAAAk+${randomBytes(16).toString("base64url")}`,
        create_time: created,
        update_time: created,
        requests: 1,
      };
      state.putBill(bill);
      return bill;
    },
    find,
    cancel(mchid, outBillNo) {
      const bill = find(mchid, { outBillNo });
      if (FINAL.includes(bill.state)) throw new WxpayApiError(400, "INVALID_REQUEST", "单据已是终态，无法撤销");
      // Accepted at once; the money goes back asynchronously, so the answer is CANCELING and the
      // notification (and every later query) says CANCELLED.
      finish(bill, "CANCELLED", "MCH_CANCEL");
      return { ...bill, state: "CANCELING" };
    },
    settleByPayee(mchid, outBillNo, accept) {
      const bill = state.bill(mchid, outBillNo);
      if (!bill) throw new ControlError(404, `no transfer bill ${outBillNo}`);
      if (bill.state !== "WAIT_USER_CONFIRM" && bill.state !== "TRANSFERING")
        throw new ControlError(409, `the bill is ${bill.state}, not waiting for the payee`);
      if (overdue(bill)) throw new ControlError(409, "the bill's 24-hour confirmation window has passed");
      return accept ? finish(bill, "SUCCESS") : finish(bill, "FAIL", "TRANSFER_REJECT");
    },
    setPendingState(mchid, outBillNo, next) {
      const bill = state.bill(mchid, outBillNo);
      if (!bill) throw new ControlError(404, `no transfer bill ${outBillNo}`);
      if (FINAL.includes(bill.state)) throw new ControlError(409, `the bill is already ${bill.state}`);
      if (!["ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING"].includes(next))
        throw new ControlError(400, "state must be ACCEPTED, PROCESSING, WAIT_USER_CONFIRM or TRANSFERING");
      bill.state = next;
      bill.update_time = now();
      state.putBill(bill);
      return bill;
    },
    setInitialState(initial) {
      if (!["ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM"].includes(initial))
        throw new ControlError(400, "state must be ACCEPTED, PROCESSING or WAIT_USER_CONFIRM");
      state.setBillInitialState(initial);
    },
    expire() {
      const closed: string[] = [];
      for (const bill of state.bills()) if (overdue(bill)) closed.push(finish(bill, "FAIL", "OVERDUE_CLOSE").out_bill_no);
      return closed;
    },
    view,
  };
}
