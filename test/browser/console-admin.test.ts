import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ROOT } from "../../scripts/build/paths";
import { consoleHandler } from "../../scripts/console/server";
import { SANDBOXES } from "../../scripts/sandbox/registry";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { describeInBrowser, launchChromium } from "./chromium";

/**
 * Issue 18, the console's admin pages in headless Chromium: transfers (create, list, cancel), a failed
 * hook re-run from the order's detail page, a refused notification's diagnosis in the log, and the config
 * check of every provider. Screenshots are kept in ARTIFACTS.
 */
const ARTIFACTS = join(ROOT, ".scratch/browser/console-admin");

describeInBrowser("the web console's admin pages, in headless Chromium", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let browser: Browser;
  let context: BrowserContext;
  let userToken: string;

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const users = () => env.db.collection("uni-id-users");
  const vkPay = async (url: string, data: Record<string, unknown>) => {
    const response = await fetch(`${env.url}/http/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "uni-id-token": userToken },
      body: JSON.stringify({ url, data: { vk_platform: "h5", ...data } }),
    });
    return (await response.json()) as Record<string, any>;
  };
  const until = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    env = await startPayingSpace();
    env.emulator.mount("/", consoleHandler({ emulator: env.emulator, sandboxes: SANDBOXES.map((sandbox) => sandbox.name) }));
    await users().add({ _id: "hook-user", role: [], status: 0, balance: 0, vip_expire_date: 0 });
    await users().add({ _id: "console-admin", role: ["admin"], status: 0, balance: 0, vip_expire_date: 0 });
    const admin = await mintToken(TEST_SECRET, { uid: "console-admin", role: ["admin"] });
    userToken = await mintToken(TEST_SECRET, { uid: "hook-user" });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    // Log in once through the fragment the console reads; the tokens stay in this context's storage.
    const page = await context.newPage();
    await page.goto(`${env.url}/#login=${userToken},${admin}`);
    await page.waitForSelector("#pay");
    await page.close();
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await env?.close();
  });

  it("creates a WeChat transfer, lists it waiting for the payee, and cancels it", async () => {
    const page = await context.newPage();
    await page.goto(`${env.url}/#/transfers`);
    await page.waitForSelector("#transfer-form");
    const offered = await page.$$eval("#transfer-provider option", (options) => options.map((option) => option.getAttribute("value")));
    expect(offered).toEqual(expect.arrayContaining(["wxpay", "alipay"]));
    await page.selectOption("#transfer-provider", "wxpay");
    await page.fill("#transfer-payee", "o-console-payee");
    await page.fill("#transfer-amount", "1.50");
    await page.click("#transfer-create");
    const row = await page.waitForSelector('#transfers tbody tr[data-status="WAIT_USER_CONFIRM"]');
    const outBillNo = (await row.getAttribute("data-out-bill-no"))!;
    expect(await row.textContent()).toContain("¥1.50");
    const { data: ledger } = await env.db.collection("vk-pay-transfers").where({ out_bill_no: outBillNo }).get();
    expect(ledger[0]).toMatchObject({ provider: "wxpay", transfer_amount: 150, operator: "console-admin", status: "WAIT_USER_CONFIRM" });
    await shot(page, "1-transfer-waiting");

    await page.click(`#transfers tr[data-out-bill-no="${outBillNo}"] button[data-action="cancel"]`);
    await page.waitForSelector(`#transfers tr[data-out-bill-no="${outBillNo}"]:is([data-status="CANCELING"], [data-status="CANCELLED"])`);
    expect(await page.isDisabled(`#transfers tr[data-out-bill-no="${outBillNo}"] button[data-action="cancel"]`)).toBe(true);
    await shot(page, "2-transfer-cancelled");
    await page.close();
  }, 60_000);

  it("re-runs a failed hook from the order's detail page", async () => {
    const created = await vkPay("pay/createPayment", { isPC: true, provider: "wxpay", type: "recharge", total_fee: 1000 });
    expect(created).toMatchObject({ code: 0 });
    const outTradeNo = created.data.out_trade_no as string;
    // The recharge hook credits a user that is gone: the payment is recorded, its hook fails.
    await users().doc("hook-user").remove();
    expect(await env.control("wxpay", "pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true });
    const order = async () => (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0];
    await until(async () => (await order())?.user_order_success === false, "the failed hook");

    const page = await context.newPage();
    await page.goto(`${env.url}/#/orders/${outTradeNo}`);
    await page.waitForSelector("#order-title + .pill[title=SUCCESS]");
    expect(await page.textContent("main")).toContain("回调失败");
    expect(await page.textContent("#hook-error")).toContain("hook-user");
    expect(await page.isDisabled("#hook-retry")).toBe(false);
    await shot(page, "3-hook-failed");

    await users().add({ _id: "hook-user", role: [], status: 0, balance: 0, vip_expire_date: 0 });
    await page.click("#hook-retry");
    await page.waitForFunction('document.querySelector("main").textContent.includes("回调完成")');
    expect(await page.isDisabled("#hook-retry")).toBe(true);
    expect(((await users().doc("hook-user").get()).data[0] as { balance: number }).balance).toBe(1000);
    await shot(page, "4-hook-rerun");
    await page.close();
  }, 60_000);

  it("shows a refused notification's diagnosis: the check, the serial, the clock offset and the checked text's hash", async () => {
    const signedAt = Math.floor(Date.now() / 1000) - 600;
    const serial = "0123456789ABCDEF0123456789ABCDEF01234567";
    // Signed too long ago: refused on its timestamp before any key is tried, so the signature may be anything.
    const body = JSON.stringify({ id: "EV-console", event_type: "TRANSACTION.SUCCESS", resource_type: "encrypt-resource", resource: {} });
    // What WeChat Pay v3 signs: TIMESTAMP\nNONCE\nBODY\n; the console shows its hash, never the text.
    const checkedHash = createHash("sha256").update(`${signedAt}\nconsole-nonce\n${body}\n`).digest("hex");
    const response = await fetch(`${env.url}/http/vk-pay/vk-pay-notify/wxpay_mp-weixin`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "wechatpay-timestamp": String(signedAt),
        "wechatpay-nonce": "console-nonce",
        "wechatpay-serial": serial,
        "wechatpay-signature": Buffer.from("not a signature").toString("base64"),
      },
      body,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);

    const page = await context.newPage();
    await page.goto(`${env.url}/#/notifications?outcome=refused`);
    const row = await page.waitForSelector('#notifications tbody tr[data-outcome="refused"]');
    expect(await row.textContent()).toContain("vk-pay-wxpay-v3-timestamp-out-of-window");
    await row.click();
    const detail = await page.waitForSelector("#notifications tbody tr:not([hidden]) dl.kv");
    const text = (await detail.textContent())!;
    expect(text).toContain("未通过的检查");
    expect(text).toContain(serial);
    expect(text).toMatch(/时钟偏差\+60\d 秒/);
    expect(text).toContain(checkedHash);
    await shot(page, "5-notification-diagnosis");
    await page.close();
  }, 60_000);

  it("checks every provider's config, as npm run doctor does", async () => {
    const page = await context.newPage();
    await page.goto(`${env.url}/#/config`);
    await page.waitForSelector("#config-check tbody tr");
    const text = (await page.textContent("#config-check"))!;
    for (const provider of ["wxpay", "alipay", "appleiap", "vkspay", "wxpay-virtual", "douyin", "huawei"]) expect(text).toContain(provider);
    for (const key of ["bundleId", "gatewayUrl", "offerId", "platformPublicKey", "mchAuthId"]) expect(text).toContain(key);
    expect(await page.$$eval('#config-check tr[data-status="missing"], #config-check tr[data-status="mismatch"]', (rows) => rows.length)).toBe(0);
    await shot(page, "6-config-check");
    // One provider's items unfolded: what its describeConfig said, secrets masked.
    const douyin = page.locator("#config-check tbody > tr", { hasText: "mp-toutiao" });
    await douyin.locator("summary").click();
    expect(await douyin.locator("table.items").textContent()).toContain("PEM PRIVATE KEY");
    await shot(page, "7-config-check-douyin");
    await page.close();
  }, 60_000);
});
