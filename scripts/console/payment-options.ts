import { findProvider, registeredProviders } from "../../common/vk-uni-pay/src/providers";
import type { PaymentSituation } from "../../common/vk-uni-pay/src/kernel/contract";
import { providerRows } from "../build/provider-table";

/**
 * What the checkout offers: every registered provider (from the library's registry, never a list of our
 * own) with the modes a page in this browser can pay in. A mode is reached the way a real client reaches
 * it, by the situation the provider's own `selectMode` reads (platform, PC, QR code); the page then sends
 * that platform in `clientInfo`, as the uni-app runtime of that platform would.
 */

export interface CheckoutMode {
  mode: string;
  /** The uni platform the page presents as (`h5`, `app-plus`, `mp-weixin`, …). */
  platform: string;
  isPC: boolean;
  needQRcode: boolean;
  /** The client shows a QR code (the sandbox cashier's address) rather than invoking a native API. */
  qrcode: boolean;
}

export interface CheckoutProvider {
  name: string;
  label: string;
  modes: CheckoutMode[];
  /** A sandbox of this name runs here, so its cashier can pay any order it knows. */
  sandbox: boolean;
  /** It can pay users (the provider has the `transfer` verb): the transfers page offers it. */
  transfers: boolean;
}

/** The situations a console page can present; an openid, a pay code or a special user agent it cannot. */
const SITUATIONS: ReadonlyArray<Pick<CheckoutMode, "platform" | "isPC" | "needQRcode">> = [
  { platform: "h5", isPC: true, needQRcode: false },
  { platform: "h5", isPC: false, needQRcode: true },
  { platform: "app-plus", isPC: false, needQRcode: false },
  { platform: "mp-alipay", isPC: false, needQRcode: false },
  { platform: "mp-toutiao", isPC: false, needQRcode: false },
  { platform: "mp-harmony", isPC: false, needQRcode: false },
  { platform: "app-harmony", isPC: false, needQRcode: false },
];

const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

export function checkoutProviders(sandboxes: readonly string[]): CheckoutProvider[] {
  const labels = new Map(providerRows().map((row) => [row.name, row.label]));
  return registeredProviders().map((name) => {
    const provider = findProvider(name)!;
    const modes: CheckoutMode[] = [];
    for (const situation of SITUATIONS) {
      const asked: PaymentSituation = { ...situation, userAgent: DESKTOP_UA, payCode: false, switches: {} };
      const selected = provider.selectMode(asked);
      if (!selected || selected.needsOpenid || modes.some((known) => known.mode === selected.mode)) continue;
      modes.push({ mode: selected.mode, ...situation, qrcode: selected.qrcode });
    }
    return { name, label: labels.get(name) ?? name, modes, sandbox: sandboxes.includes(name), transfers: typeof provider.transfer === "function" };
  });
}
