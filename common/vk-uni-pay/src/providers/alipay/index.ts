import { realCodepayWait, type CodepayWait } from "../codepay-loop";
import type { MerchantConfig, PartnerRef, PaymentProvider } from "../../kernel/contract";
import { cloudDatabase, type Database } from "../../core/database";
import { AlipayCertStore } from "./cert-store";
import { readAlipayMerchant, type AlipayMerchant } from "./merchant";
import { alipayConfig } from "./config-reference";
import { queryAlipayBalance } from "./balance";
import { alipayTransfer, queryAlipayTransfer } from "./transfer";
import { ALIPAY_LOGINS, alipayCode2Session } from "./login";
import { ALIPAY_MODES } from "./modes";
import { selectAlipayMode } from "./select-mode";
import { acknowledgeAlipayNotify, verifyAlipayNotification } from "./notify";
import { closeAlipayPayment, createAlipayPayment, queryAlipayPayment, queryAlipayRefund, refundAlipayPayment } from "./trade";

export interface AlipayProviderOptions {
  /** How the pay-code loop waits between queries; a real timer by default, a fake clock in tests. */
  wait?: CodepayWait;
  /** Where certificates Alipay rotated to are persisted; uniCloud's database by default. */
  database?: () => Database;
  log?: (line: string) => void;
}

/**
 * The `alipay` provider: Alipay OpenAPI v2 (`gateway.do`, RSA2) in key mode or certificate mode, for
 * vk-uni-pay's modes mp-alipay, app-plus, h5 (当面付 QR) and codepay. Refunds settle synchronously or by
 * query, so `refundNotify` is false; refund facts that arrive with a trade notification are confirmed by a
 * refund query (notify.ts).
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export function createAlipayProvider(options: AlipayProviderOptions = {}): PaymentProvider {
  const wait = options.wait ?? realCodepayWait;
  const rotatedCerts = new AlipayCertStore({ database: options.database ?? cloudDatabase, log: options.log });
  /** The merchant for a call about one order: a service-provider order keeps the token it was created with. */
  const merchantFor = (request: { config: MerchantConfig; partner?: PartnerRef }): AlipayMerchant => {
    const merchant = readAlipayMerchant(request.config);
    return { ...merchant, rotatedCerts, ...(request.partner?.appAuthToken ? { appAuthToken: request.partner.appAuthToken } : {}) };
  };
  return Object.freeze({
    name: "alipay",
    capabilities: Object.freeze({
      modes: ALIPAY_MODES,
      query: true,
      close: true,
      refund: true,
      refundNotify: false,
      login: ALIPAY_LOGINS,
      balanceConfigKey: "transfer",
      transferConfigKey: "transfer",
    }),
    selectMode: selectAlipayMode,
    ...alipayConfig,
    createPayment: async (request, runtime) => createAlipayPayment(request, merchantFor(request), runtime, wait),
    queryPayment: async (request, runtime) => queryAlipayPayment(request.outTradeNo, merchantFor(request), runtime),
    closePayment: async (request, runtime) => closeAlipayPayment(request.outTradeNo, request.mode, merchantFor(request), runtime),
    refund: async (request, runtime) => refundAlipayPayment(request, merchantFor(request), runtime),
    queryRefund: async (request, runtime) => queryAlipayRefund(request.outTradeNo, request.outRefundNo, merchantFor(request), runtime),
    verifyNotify: async (notification, config, runtime) => {
      const merchant = merchantFor({ config });
      return verifyAlipayNotification(
        notification,
        merchant,
        (outTradeNo, outRefundNo) => queryAlipayRefund(outTradeNo, outRefundNo, merchant, runtime),
        runtime,
      );
    },
    acknowledge: (accepted) => acknowledgeAlipayNotify(accepted),
    code2Session: async (request, runtime) => alipayCode2Session(request, merchantFor(request), runtime),
    queryAccountBalance: async (request, runtime) => queryAlipayBalance(merchantFor(request), runtime),
    transfer: async (request, runtime) => alipayTransfer(request, merchantFor(request), runtime),
    queryTransfer: async (request, runtime) => queryAlipayTransfer(request, merchantFor(request), runtime),
  } satisfies PaymentProvider);
}

/** The built-in instance the registry serves. */
export const alipay: PaymentProvider = createAlipayProvider();
