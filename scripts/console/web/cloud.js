import { createVkPay } from "/console/vk-uni-pay-client.js";
import { setToken, token } from "./session.js";

// What a uni-app H5 page has and the console lacks: the `uniCloud` and `uni` globals. This host gives the
// built client SDK exactly those, calling the emulator's /__callFunction as uni-app's client does (the
// token in `uniIdToken`, the platform in `clientInfo`), so the SDK runs here unchanged.

/** The uni platform names the uni-app runtime sends in clientInfo for vk-pay's modes. */
const CLIENT_PLATFORM = { h5: "web", "app-plus": "app" };

async function callFunction(role, platform, { name, data }) {
  const response = await fetch(`/__callFunction/${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      event: { ...data, uniIdToken: token(role) },
      clientInfo: { PLATFORM: CLIENT_PLATFORM[platform] ?? platform, APPID: "__UNI__CONSOLE", OS: "web", LOCALE: "zh-Hans", DEVICEID: "vk-pay-console" },
    }),
  });
  if (!response.ok) throw new Error(`callFunction ${name}: HTTP ${response.status}`);
  const reply = await response.json();
  // uni-id refreshes a token close to expiry; the uni-app client keeps the new one, and so does this page.
  if (reply?.result?.newToken?.token) setToken(role, reply.result.newToken.token);
  return { result: reply.result };
}

/**
 * A host for one role and platform. `onNative` stands in for the platform's payment sheet
 * (uni.requestPayment and the like): the page shows the sandbox cashier, and the SDK then polls the
 * server, which alone says whether the order is paid.
 */
export function consoleHost(role, platform = "h5", onNative = () => undefined) {
  const native = (api) => (options) => {
    onNative(api, options);
    options.success?.({ errMsg: `${api}:ok` });
  };
  return {
    uniCloud: { callFunction: (options) => callFunction(role, platform, options) },
    uni: {
      requestPayment: native("requestPayment"),
      requestVirtualPayment: native("requestVirtualPayment"),
      getSystemInfoSync: () => ({ uniPlatform: CLIENT_PLATFORM[platform] ?? platform, osName: "web" }),
      showModal: () => undefined,
    },
    window,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** Any route of vk-pay with the given role's token; answers the envelope. */
export function call(role, route, data = {}) {
  return createVkPay({ host: consoleHost(role), needAlert: false }).call(route, data);
}

export function payClient(platform, onNative, options = {}) {
  return createVkPay({ host: consoleHost("user", platform, onNative), platform, needAlert: false, pollingTime: 1000, pollingTimes: 600, ...options });
}
