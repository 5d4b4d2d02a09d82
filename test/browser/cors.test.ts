import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { describeInBrowser, launchChromium } from "./chromium";

/**
 * Issue 14 item 6 in a real browser: an H5 page served from another port (as a uni-app H5 dev server
 * is) creates a payment through /__callFunction/vk-pay, is paid in the sandbox, and sees it paid. A page
 * on an origin the emulator does not allow is blocked by the browser itself.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>H5</title><script>
async function callVkPay(emulator, token, url, data) {
  const response = await fetch(emulator + "/__callFunction/vk-pay", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ event: { url, data, uniIdToken: token }, clientInfo: { PLATFORM: "web", APPID: "__UNI__H5" } }),
  });
  return (await response.json()).result;
}
</script>`;

function servePage(host: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
  });
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://${host}:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

describeInBrowser("an H5 page on another port, in headless Chromium", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    browser = await launchChromium();
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add({ _id: "h5-user", role: [], status: 0, balance: 0, vip_expire_date: 0 });
    token = await mintToken(TEST_SECRET, { uid: "h5-user" });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it("creates a payment through the emulator, is paid at the sandbox, and sees the balance", async () => {
    const page = await servePage("localhost");
    const tab = await browser.newPage();
    try {
      await tab.goto(`${page.origin}/`);
      const call = (url: string, data: Record<string, unknown>) =>
        tab.evaluate(([emulator, user, route, body]) => (globalThis as any).callVkPay(emulator, user, route, body), [env.url, token, url, data] as const);
      const created = await call("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 1000, isPC: true });
      expect(created).toMatchObject({ code: 0, data: { total_fee: 1000, orderInfo: { codeUrl: expect.stringContaining("/__sandbox/wxpay/cashier") } } });
      expect(await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no })).toMatchObject({ ok: true });
      await env.wxpay.idle();
      expect(await call("pay/queryPayment", { out_trade_no: created.data.out_trade_no, await_notify: true })).toMatchObject({
        code: 0,
        data: { trade_state: "SUCCESS", orderPaid: true },
      });
      expect(await call("user/getInfo", {})).toMatchObject({ code: 0, data: { balance: 1000 } });
    } finally {
      await tab.close();
      await page.close();
    }
  });

  it("is blocked by the browser when its origin is not allowed", async () => {
    // 127.0.0.2 is this machine too, but not an origin the default policy names.
    const page = await servePage("127.0.0.2");
    const tab = await browser.newPage();
    try {
      await tab.goto(`${page.origin}/`);
      const outcome = await tab.evaluate(
        ([emulator, user]) =>
          (globalThis as any).callVkPay(emulator, user, "user/getInfo", {}).then(
            () => "answered",
            (error: Error) => `blocked: ${error.name}`,
          ),
        [env.url, token] as const,
      );
      expect(outcome).toBe("blocked: TypeError");
    } finally {
      await tab.close();
      await page.close();
    }
  });
});
