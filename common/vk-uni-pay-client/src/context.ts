import { callUni, type ClientHost } from "./host";
import type { VkPayClientOptions } from "./types";

/** One client's state: its host and options, the openids it has learnt, the page's visibility, its polls. */
export interface ClientContext {
  host: ClientHost;
  options: VkPayClientOptions;
  /** Set from the page's onShow/onHide (vk-uni-pay's `page-show`); polling pauses while false. */
  pageVisible: boolean;
  /** Bumped by stopPolling: a poll started under an older generation stops. */
  generation: number;
  openids: Record<string, string>;
}

export function createContext(host: ClientHost, options: VkPayClientOptions): ClientContext {
  return { host, options, pageVisible: true, generation: 0, openids: {} };
}

/** A message for the person paying, when the caller wants the SDK to show it (vk-uni-pay's `needAlert`). */
export function alertUser(context: ClientContext, needAlert: boolean | undefined, msg: string): void {
  if ((needAlert ?? context.options.needAlert ?? true) === false) return;
  void callUni(context.host.uni, "showModal", { title: "提示", content: msg, showCancel: false });
}
