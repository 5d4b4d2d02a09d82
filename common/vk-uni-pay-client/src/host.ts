/**
 * What the SDK uses of its surroundings, typed as loosely as uni-app's globals are: `uni`, `uniCloud`, the
 * browser's `window` on H5 and `plus` in an App. Tests pass their own; in a uni-app project they are read
 * from the globals at call time (an App's `plus` exists only after `plusready`).
 */
export type Callback = (result: any) => void;
export type UniCallOptions = Record<string, unknown> & { success?: Callback; fail?: Callback };

export interface UniLike {
  requestPayment(options: UniCallOptions): void;
  requestVirtualPayment?(options: UniCallOptions): void;
  login?(options: UniCallOptions): void;
  getSystemInfoSync?(): { uniPlatform?: string; osName?: string };
  getAccountInfoSync?(): { miniProgram?: { appId?: string } };
  showModal?(options: UniCallOptions): void;
  getStorageSync?(key: string): unknown;
  setStorageSync?(key: string, value: unknown): void;
  removeStorageSync?(key: string): void;
}

export interface UniCloudLike {
  callFunction(options: { name: string; data: Record<string, unknown> }): Promise<{ result?: unknown }>;
}

export interface WeixinJSBridgeLike {
  invoke(name: string, params: unknown, callback: (res: { err_msg?: string; errMsg?: string }) => void): void;
}

export interface BrowserLike {
  location: { href: string };
  navigator?: { userAgent?: string; platform?: string };
  document?: { visibilityState?: string; addEventListener?(name: string, listener: () => void, capture?: boolean): void };
  history?: { replaceState?(state: unknown, title: string, url: string): void };
  WeixinJSBridge?: WeixinJSBridgeLike;
}

/** An App's in-app purchase channel (uni-app `plus.payment`, id `appleiap`). */
export interface IapChannelLike {
  id: string;
  requestProduct?(ids: string[], success: Callback, fail: Callback): void;
  requestOrder?(ids: string[], success: Callback, fail: Callback): void;
  finishTransaction?(transaction: unknown, success: Callback, fail: Callback): void;
  restoreCompletedTransactions?(options: Record<string, unknown>, success: Callback, fail: Callback): void;
}

export interface PlusLike {
  runtime?: { openURL(url: string): void };
  payment?: { getChannels(success: (channels: IapChannelLike[]) => void, fail: Callback): void };
}

export interface ClientHost {
  uni: UniLike;
  uniCloud: UniCloudLike;
  window?: BrowserLike;
  plus?: PlusLike;
  sleep(ms: number): Promise<void>;
}

/** The host of a running uni-app: its globals, read when a call needs them. */
export function globalHost(): ClientHost {
  const scope = globalThis as Record<string, any>;
  return {
    get uni() {
      return scope.uni as UniLike;
    },
    get uniCloud() {
      return scope.uniCloud as UniCloudLike;
    },
    get window() {
      return typeof scope.window === "object" && scope.window?.location ? (scope.window as BrowserLike) : undefined;
    },
    get plus() {
      return scope.plus as PlusLike | undefined;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** A uni callback API as a promise of its outcome: `success` → ok, `fail` → not ok, both with the raw answer. */
export function callUni(target: object | undefined, name: string, options: Record<string, unknown>): Promise<{ ok: boolean; res: any }> {
  return new Promise((resolve) => {
    const api = (target as Record<string, unknown> | undefined)?.[name];
    if (typeof api !== "function") {
      resolve({ ok: false, res: { errMsg: `${name}:fail not supported on this platform` } });
      return;
    }
    try {
      api.call(target, { ...options, success: (res: unknown) => resolve({ ok: true, res }), fail: (res: unknown) => resolve({ ok: false, res }) });
    } catch (error) {
      resolve({ ok: false, res: { errMsg: error instanceof Error ? error.message : String(error) } });
    }
  });
}
