import type { BrowserLike, ClientHost, IapChannelLike } from "../../../common/vk-uni-pay-client/src";

type Reply = Record<string, unknown> | ((data: Record<string, any>) => Record<string, unknown>);

/**
 * A simulated uni-app: `uni` whose native calls answer what a test scripts (and record what they were
 * given), a `uniCloud.callFunction` answering per route, optional browser and `plus`, and a sleep that
 * records its waits and returns at once.
 */
export function fakeHost(setup: { platform?: string; replies?: Record<string, Reply | Reply[]>; browser?: Partial<BrowserLike>; iap?: IapChannelLike } = {}) {
  const calls: Array<{ api: string; options: Record<string, any> }> = [];
  const functionCalls: Array<{ name: string; data: Record<string, any> }> = [];
  const sleeps: number[] = [];
  const storage = new Map<string, unknown>();
  const native: Record<string, (options: Record<string, any>) => { ok: boolean; res: unknown }> = {};
  const replies = setup.replies ?? {};
  const queues = new Map<string, Reply[]>();
  const api =
    (name: string) =>
    (options: Record<string, any>): void => {
      calls.push({ api: name, options });
      const answer = native[name]?.(options) ?? { ok: true, res: { errMsg: `${name}:ok` } };
      (answer.ok ? options.success : options.fail)?.(answer.res);
    };
  const uni = {
    requestPayment: api("requestPayment"),
    requestVirtualPayment: api("requestVirtualPayment"),
    login: api("login"),
    showModal: api("showModal"),
    getSystemInfoSync: () => ({ uniPlatform: setup.platform ?? "mp-weixin" }),
    getAccountInfoSync: () => ({ miniProgram: { appId: "wx-mp-appid" } }),
    getStorageSync: (key: string) => storage.get(key) ?? "",
    setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
    removeStorageSync: (key: string) => void storage.delete(key),
  };
  const host: ClientHost & { window?: BrowserLike } = {
    uni,
    uniCloud: {
      async callFunction({ name, data }) {
        functionCalls.push({ name, data });
        const route = String(data.url ?? data.action ?? data.$url);
        let reply = replies[route];
        if (Array.isArray(reply)) {
          if (!queues.has(route)) queues.set(route, [...reply]);
          const queue = queues.get(route)!;
          reply = queue.length > 1 ? queue.shift()! : queue[0]!;
        }
        if (reply === undefined) return { result: { code: 404, msg: "无此接口", errCode: "vk-pay-route-not-found" } };
        return { result: typeof reply === "function" ? reply(data.data ?? {}) : reply };
      },
    },
    window: setup.browser ? ({ location: { href: "http://h5.example.com/#/pages/pay/index" }, ...setup.browser } as BrowserLike) : undefined,
    plus: {
      runtime: { openURL: (url: string) => void calls.push({ api: "plus.openURL", options: { url } }) },
      payment: { getChannels: (success) => success(setup.iap ? [setup.iap] : []) },
    },
    sleep: async (ms: number) => void sleeps.push(ms),
  };
  return { host, uni, calls, functionCalls, sleeps, storage, native, routes: () => functionCalls.map((call) => String(call.data.url ?? call.data.action)) };
}

export const created = (data: Record<string, unknown>) => ({
  code: 0,
  msg: "success",
  data: { out_trade_no: "T1", total_fee: 100, platform: "", needQRcode: false, ...data },
});
export const state = (trade_state: string, extra: Record<string, unknown> = {}) => ({
  code: 0,
  msg: "success",
  data: { trade_state, out_trade_no: "T1", total_fee: 100, orderPaid: trade_state === "SUCCESS", ...extra },
});
