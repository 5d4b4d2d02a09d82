import { cloudDatabase, type Database } from "../../core/database";
import type { MerchantConfig, PaymentProvider } from "../contract";
import { readWxpayVersion } from "./merchant";
import { WXPAY_V3_MODES } from "./modes";
import { acknowledgeWxpayNotify } from "./notify";
import { PlatformCertStore } from "./platform-certs";
import { createWxpayV3Adapter, type WxpayVersionAdapter } from "./v3-adapter";

/**
 * The `wxpay` provider: WeChat Pay for every vk-uni-pay mode, over API v3. The sub-config's `version`
 * picks the protocol; v2 will plug in beside v3 through the same WxpayVersionAdapter.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/index.shtml
 */

export interface WxpayProviderOptions {
  /** Where platform certificates are persisted; uniCloud's database by default. */
  database?: () => Database;
  log?: (line: string) => void;
}

export function createWxpayProvider(options: WxpayProviderOptions = {}): PaymentProvider {
  const certs = new PlatformCertStore({ database: options.database ?? cloudDatabase, log: options.log });
  const v3 = createWxpayV3Adapter(certs);
  // The switch point: readWxpayVersion refuses v2 with a clear ConfigError until it is implemented.
  const adapterFor = (config: MerchantConfig): WxpayVersionAdapter => {
    switch (readWxpayVersion(config)) {
      case 3:
        return v3;
    }
  };

  return Object.freeze({
    name: "wxpay",
    capabilities: Object.freeze({ modes: WXPAY_V3_MODES, query: true, close: true, refund: true, refundNotify: true }),
    createPayment: async (request, runtime) => adapterFor(request.config).createPayment(request, runtime),
    queryPayment: async (request, runtime) => adapterFor(request.config).queryPayment(request, runtime),
    closePayment: async (request, runtime) => adapterFor(request.config).closePayment(request, runtime),
    refund: async (request, runtime) => adapterFor(request.config).refund(request, runtime),
    queryRefund: async (request, runtime) => adapterFor(request.config).queryRefund(request, runtime),
    verifyNotify: async (notification, config, runtime) => adapterFor(config).verifyNotify(notification, config, runtime),
    acknowledge: acknowledgeWxpayNotify,
  } satisfies PaymentProvider);
}

/** The built-in instance the registry serves. */
export const wxpay: PaymentProvider = createWxpayProvider();
