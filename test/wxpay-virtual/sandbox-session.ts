import { createPayment } from "../../common/vk-uni-pay/src/api/create-payment";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import type { HookResolver } from "../../common/vk-uni-pay/src/core/hooks";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import { wxpayVirtual } from "../../common/vk-uni-pay/src/providers/wxpay-virtual";
import { createXpaySandbox, type XpaySandbox } from "../../scripts/sandbox/wxpay-virtual";
import { mountSandbox, type Mounted } from "../sandbox/helpers/mounted";
import { makeDeps } from "../helpers/deps";

/** Real HTTP from the library to the mounted sandbox, as uniCloud.httpclient would carry it. */
export const fetchRuntime: ProviderRuntime["request"] = async (url, options) => {
  const response = await fetch(url, {
    method: String(options.method ?? "GET"),
    headers: (options.headers ?? {}) as Record<string, string>,
    ...(options.content !== undefined ? { body: String(options.content) } : {}),
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), data: Buffer.from(await response.arrayBuffer()) };
};

export const OPENID = "oXpaySandboxBuyer0000000001";
export const SESSION_KEY = "9hAb/NEYUlkaMBEsmFgzig==";

/**
 * The xpay sandbox mounted in an emulator, the library's deps pointed at it, and the sandbox's message
 * pushes handed to the library's notification pipeline (the console-configured path), replies returned
 * to the sandbox unchanged.
 */
export async function startXpaySession(options: { configOverrides?: Record<string, unknown>; hooks?: HookResolver } = {}) {
  let deps: ReturnType<typeof makeDeps> | undefined;
  const pushes: Array<{ url: string; body: string; status: number; reply: string }> = [];
  const mounted: Mounted<XpaySandbox> = await mountSandbox("wxpay-virtual", undefined, (dataDir) =>
    createXpaySandbox({
      dataDir,
      persist: false,
      notifyRetryDelaysMs: [20, 40],
      log: () => undefined,
      request: async (url, init) => {
        const parsed = new URL(url);
        const reply = await processNotification(
          {
            path: parsed.pathname.replace(/^\/http\/vk-pay/, ""),
            httpMethod: "POST",
            headers: init.headers,
            body: init.body,
            queryStringParameters: Object.fromEntries(parsed.searchParams),
          },
          "/vk-pay-notify/",
          deps!,
        );
        pushes.push({ url, body: init.body, status: reply.statusCode, reply: reply.body });
        return { status: reply.statusCode, body: reply.body };
      },
    }),
  );
  const keys = mounted.sandbox.keys;
  const merchant = {
    appId: keys.appId,
    secret: keys.appSecret,
    offerId: keys.offerId,
    appKey: keys.appKey,
    sandboxAppKey: keys.sandboxAppKey,
    rate: 100,
    token: keys.token,
    encodingAESKey: keys.encodingAESKey,
    goods: { "drama-episode": { price: 100, subject: "短剧单集" }, "drama-season": { price: 1990 } },
    baseUrl: mounted.base,
    ...options.configOverrides,
  };
  deps = makeDeps({
    providers: [wxpayVirtual],
    now: Date.now,
    request: fetchRuntime,
    hooks: options.hooks,
    config: () => ({ notifyUrl: { local: "http://127.0.0.1:1/http/vk-pay" }, "wxpay-virtual": { "mp-weixin": merchant } }),
  });
  // Production's runtime shares the library's database (the session keys and the access token live there).
  deps.runtime = { ...deps.runtime, db: deps.db as Database };
  // The user logged in: the library stored the session key, and WeChat knows it too.
  await deps.db
    .collection("vk-pay-wx-sessions")
    .doc(`${keys.appId}:${OPENID}`)
    .set({ appid: keys.appId, openid: OPENID, session_key: SESSION_KEY, update_date: Date.now() });
  await mounted.control("session", { openid: OPENID, session_key: SESSION_KEY });
  const session = {
    mounted,
    deps,
    keys,
    merchant,
    pushes,
    create: (outTradeNo: string, item: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<any> =>
      createPayment(
        {
          context: { PLATFORM: "mp-weixin", CLIENTIP: "127.0.0.1", SPACEINFO: { spaceId: "local" } },
          provider: "wxpay-virtual",
          data: { out_trade_no: outTradeNo, type: "recharge", openid: OPENID, wxpay_virtual: item, ...extra } as never,
        },
        deps,
      ),
    /** The buyer's wx.requestVirtualPayment with the orderInfo createPayment answered. */
    requestPayment: (orderInfo: Record<string, unknown>) => mounted.control("request-payment", { openid: OPENID, ...orderInfo }),
    async pay(outTradeNo: string) {
      const answer = await mounted.control("pay", { out_trade_no: outTradeNo });
      await mounted.sandbox.idle();
      return answer;
    },
    order: async (outTradeNo: string) => (await deps!.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>,
    close: async () => {
      await mounted.close();
      await deps!.close();
    },
  };
  return session;
}
