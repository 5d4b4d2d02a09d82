import { checkPayment } from "./check-payment";
import type { ClientContext } from "./context";
import { detectH5Env, isPcBrowser, type ClientPlatform } from "./env";
import type { CreatedPayment, PayParams, PayResult } from "./types";

/** Alipay's app opens a URL it is handed (saId 10000007 is its scanner), as vk-uni-pay's component does. */
export function alipayScanLink(codeUrl: string): string {
  return `alipays://platformapi/startapp?saId=10000007&qrcode=${encodeURIComponent(`${codeUrl}${codeUrl.includes("?") ? "&" : "?"}_s=web-other`)}`;
}

/**
 * On a phone, an Alipay QR code is opened rather than shown (nobody can scan their own screen): inside the
 * WeChat or Alipay browser by navigating to it, elsewhere through Alipay's app link, in an App through the
 * system. WeChat's code is always shown: WeChat may flag a long-pressed payment code.
 */
function openAlipayOnPhone(context: ClientContext, platform: ClientPlatform | undefined, codeUrl: string): boolean {
  const { host } = context;
  if (platform === "app-plus") {
    if (!host.plus?.runtime) return false;
    host.plus.runtime.openURL(alipayScanLink(codeUrl));
    return true;
  }
  if (platform !== "h5" || !host.window || isPcBrowser(host)) return false;
  const env = detectH5Env(host);
  host.window.location.href = env === "h5-weixin" || env === "h5-alipay" ? codeUrl : alipayScanLink(codeUrl);
  return true;
}

/** A QR code (PC, `needQRcode`, a cashier link): handed to the page, opened on a phone for Alipay, then polled. */
export async function payByQrcode(
  context: ClientContext,
  created: CreatedPayment,
  params: PayParams,
  platform: ClientPlatform | undefined,
): Promise<PayResult> {
  const codeUrl = String(created.orderInfo?.codeUrl ?? "");
  const shown = {
    codeUrl,
    ...(created.qrcodeImage ? { qrcodeImage: created.qrcodeImage } : {}),
    out_trade_no: created.out_trade_no,
    provider: created.provider,
    total_fee: created.total_fee,
  };
  const opened = created.provider === "alipay" && !params.needQRcode && openAlipayOnPhone(context, platform, codeUrl);
  if (!opened) params.onQrcode?.(shown);
  if (params.polling === false) {
    return { ...shown, pay_type: created.pay_type, orderPaid: false, stopped: true };
  }
  return checkPayment(context, created, { awaitNotify: params.awaitNotify, firstDelay: 0, pollingTime: params.pollingTime, pollingTimes: params.pollingTimes });
}
