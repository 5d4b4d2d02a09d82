import { cloudDatabase, type Database } from "../../core/database";
import { SignatureError } from "../../core/errors";
import type { MerchantConfig, PaymentProvider, PaymentStatus } from "../../kernel/contract";
import { readWxpayVersion } from "./merchant";
import { wxpayConfig } from "./config-reference";
import { WXPAY_V3_MODES } from "./v3/modes";
import { WXPAY_LOGINS, weixinCode2Session } from "./login";
import { acknowledgeWxpayNotify, notificationDialect } from "./notify-reply";
import { selectWxpayMode } from "./select-mode";
import { PlatformCertStore } from "./v3/platform-certs";
import { createWxpayV2Adapter } from "./v2/adapter";
import type { CodepayWait as Wait } from "../codepay-loop";
import { createWxpayV3Adapter, createWxpayV3Transfers, type WxpayVersionAdapter } from "./v3/adapter";
import { fail } from "./merchant";

/**
 * The `wxpay` provider: WeChat Pay for every vk-uni-pay mode. The sub-config's `version` picks API v3
 * (default) or v2, for every verb: pay codes too are paid (and reversed) over v3's codepay for a v3
 * config and over v2's micropay for a v2 one, so a merchant with only API v3 keys can take them.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/index.shtml
 * @see https://pay.weixin.qq.com/wiki/doc/api/index.html
 */

export interface WxpayProviderOptions {
  /** Where platform certificates are persisted; uniCloud's database by default. */
  database?: () => Database;
  log?: (line: string) => void;
  /** How the pay-code loop waits between queries; a real timer by default, a fake clock in tests. */
  wait?: Wait;
}

export const WXPAY_MODES = Object.freeze([...WXPAY_V3_MODES, "codepay"]);

/**
 * A pay-code trade that failed (PAYERROR: NOTENOUGH, AUTHCODEEXPIRE…) is final: its code paid nothing, and
 * WeChat refuses the same out_trade_no with another code, so the order is closed rather than left waiting.
 * Any other mode's PAYERROR may still be paid again and is reported as it is.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1 (失败后需换新订单号)
 */
function finalCodepayState(mode: string, status: PaymentStatus): PaymentStatus {
  return mode === "codepay" && status.state === "PAYERROR" ? { ...status, state: "CLOSED" } : status;
}

export function createWxpayProvider(options: WxpayProviderOptions = {}): PaymentProvider {
  const database = options.database ?? cloudDatabase;
  const certs = new PlatformCertStore({ database, log: options.log });
  const v3 = createWxpayV3Adapter(certs, { wait: options.wait });
  const v2 = createWxpayV2Adapter({ wait: options.wait });
  const transfers = createWxpayV3Transfers(certs);
  /** 商家转账 exists over API v3 only. */
  const v3Only = (config: MerchantConfig) => {
    if (readWxpayVersion(config) !== 3) throw fail("config-invalid", "微信商家转账仅支持 API v3，请将转账配置的 version 设为 3");
  };
  const adapterFor = (config: MerchantConfig): WxpayVersionAdapter => {
    const version = readWxpayVersion(config);
    switch (version) {
      case 2:
        return v2;
      case 3:
        return v3;
      default: {
        const exhaustive: never = version;
        return exhaustive;
      }
    }
  };

  return Object.freeze({
    name: "wxpay",
    capabilities: Object.freeze({
      modes: WXPAY_MODES,
      query: true,
      close: true,
      refund: true,
      refundNotify: true,
      login: WXPAY_LOGINS,
      transferConfigKey: "transfer",
    }),
    selectMode: selectWxpayMode,
    ...wxpayConfig,
    createPayment: async (request, runtime) => adapterFor(request.config).createPayment(request, runtime),
    queryPayment: async (request, runtime) => finalCodepayState(request.mode, await adapterFor(request.config).queryPayment(request, runtime)),
    closePayment: async (request, runtime) => adapterFor(request.config).closePayment(request, runtime),
    refund: async (request, runtime) => adapterFor(request.config).refund(request, runtime),
    queryRefund: async (request, runtime) => adapterFor(request.config).queryRefund(request, runtime),
    applyAbnormalRefund: async (request, runtime) => adapterFor(request.config).applyAbnormalRefund(request, runtime),
    verifyNotify: async (notification, config, runtime) => {
      const adapter = adapterFor(config);
      // Said plainly rather than left to fail as a bad v3 signature: the merchant's version is wrong somewhere.
      if (adapter === v3 && notificationDialect(notification, config) === 2) {
        throw new SignatureError("wxpay-notify-version-mismatch", "an API v2 (XML) notification for a merchant configured for API v3");
      }
      return adapter.verifyNotify(notification, config, runtime);
    },
    acknowledge: acknowledgeWxpayNotify,
    transfer: async (request, runtime) => (v3Only(request.config), transfers.transfer(request, runtime)),
    queryTransfer: async (request, runtime) => (v3Only(request.config), transfers.queryTransfer(request, runtime)),
    cancelTransfer: async (request, runtime) => (v3Only(request.config), transfers.cancelTransfer(request, runtime)),
    code2Session: async (request, runtime) => weixinCode2Session(request, runtime, database),
  } satisfies PaymentProvider);
}

/** The built-in instance the registry serves. */
export const wxpay: PaymentProvider = createWxpayProvider();
