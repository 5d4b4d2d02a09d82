import type { ClientHost } from "./host";

/** The client platforms vk-pay names, as vk-uni-pay does (`app-plus`, `h5`, `mp-weixin`, …). */
export type ClientPlatform = "app-plus" | "h5" | "mp-weixin" | "mp-alipay" | "mp-toutiao" | "mp-harmony" | (string & {});

/** Where an H5 page runs: a mini program's web-view, the WeChat or Alipay browser, or any other browser. */
export type H5Env = "mp-weixin" | "h5-weixin" | "mp-alipay" | "h5-alipay" | "h5";

/** uni-app's `uniPlatform` (`app`, `web`, …) in vk-uni-pay's older names, which the server's modes use. */
export function normalizePlatform(platform: string | undefined): ClientPlatform | undefined {
  if (!platform) return undefined;
  if (platform === "app" || platform === "app-plus" || platform === "app-android" || platform === "app-ios" || platform === "app-harmony") return "app-plus";
  if (platform === "web" || platform === "h5") return "h5";
  return platform;
}

/**
 * The running platform: the caller's own answer, else uni-app's.
 * @see https://uniapp.dcloud.net.cn/api/system/info.html (uniPlatform)
 */
export function detectPlatform(host: ClientHost, override?: string): ClientPlatform | undefined {
  if (override) return normalizePlatform(override);
  try {
    return normalizePlatform(host.uni?.getSystemInfoSync?.().uniPlatform) ?? (host.window ? "h5" : undefined);
  } catch {
    return host.window ? "h5" : undefined;
  }
}

/** The H5 environment from the user agent, as vk-uni-pay's `getH5Env` tells them apart. */
export function detectH5Env(host: ClientHost): H5Env {
  const ua = host.window?.navigator?.userAgent ?? "";
  if (/MicroMessenger/i.test(ua)) return /miniProgram/i.test(ua) ? "mp-weixin" : "h5-weixin";
  if (/AlipayClient/i.test(ua)) return /MiniProgram/i.test(ua) ? "mp-alipay" : "h5-alipay";
  return "h5";
}

/** A desktop browser: a desktop OS and no mobile marker in the user agent (Android reports Linux too). */
export function isPcBrowser(host: ClientHost): boolean {
  const navigator = host.window?.navigator;
  const ua = navigator?.userAgent ?? "";
  if (/Android|iPhone|iPad|iPod|Mobile|HarmonyOS|OpenHarmony/i.test(ua)) return false;
  return /Win|Mac|Linux|X11/i.test(navigator?.platform ?? "") || /Windows NT|Macintosh|X11/i.test(ua);
}

/** The page is visible: the caller's own flag (set from onShow/onHide), and the browser's when there is one. */
export function isDocumentVisible(host: ClientHost): boolean {
  return host.window?.document?.visibilityState !== "hidden";
}
