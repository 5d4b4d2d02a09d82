import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ROOT } from "../../scripts/build/paths";
import { ensureDemoGoods } from "../../scripts/console/demo-goods";
import { consoleHandler } from "../../scripts/console/server";
import { SANDBOXES } from "../../scripts/sandbox/registry";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { describeInBrowser, launchChromium } from "./chromium";

/**
 * Issue 18, a person's path through the web console in headless Chromium: checkout (a recharge) -> the
 * sandbox cashier -> the page sees the order paid and the balance credited -> the order's detail with its
 * notification -> a refund that settles at the provider and debits the balance. Once for WeChat Pay and
 * once for Alipay, against the real sandboxes; screenshots of each step are kept in ARTIFACTS.
 */
const ARTIFACTS = join(ROOT, ".scratch/browser/console");

describeInBrowser("the web console, in headless Chromium", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let browser: Browser;
  let context: BrowserContext;
  let login: string;

  const balanceOf = async (uid: string) => ((await env.db.collection("uni-id-users").doc(uid).get()).data[0] as { balance: number }).balance;
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    env = await startPayingSpace();
    env.emulator.mount("/", consoleHandler({ emulator: env.emulator, sandboxes: SANDBOXES.map((sandbox) => sandbox.name) }));
    await env.db.collection("uni-id-users").add({ _id: "console-user", role: [], status: 0, balance: 0, vip_expire_date: 0 });
    await env.db.collection("uni-id-users").add({ _id: "console-admin", role: ["admin"], status: 0, balance: 0, vip_expire_date: 0 });
    await ensureDemoGoods(env.db);
    const [user, admin] = await Promise.all([
      mintToken(TEST_SECRET, { uid: "console-user" }),
      mintToken(TEST_SECRET, { uid: "console-admin", role: ["admin"] }),
    ]);
    login = `${env.url}/#login=${user},${admin}`;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await env?.close();
  });

  it.each([
    ["wxpay", 1234, 500],
    ["alipay", 2000, 2000],
  ])(
    "%s: checkout -> sandbox cashier -> paid -> order detail -> refund",
    async (provider, fen, refundFen) => {
      const page = await context.newPage();
      const before = await balanceOf("console-user");
      await page.goto(login);
      await page.waitForSelector("#pay");
      expect(page.url()).not.toContain("login=");
      await page.click(`.seg button[data-value="${provider}"]`);
      await page.click('.seg button[data-value="h5"]');
      await page.fill("#amount", (fen / 100).toFixed(2));
      await page.click("#pay");

      // The QR code encodes the cashier's address; the page offers the same address as a link.
      await page.waitForSelector("#qr");
      // Strings, not functions: the test compiles without the DOM's types.
      await page.waitForFunction('document.getElementById("qr")?.complete');
      expect(await page.evaluate('document.getElementById("qr").naturalWidth')).toBeGreaterThan(0);
      const cashierLink = await page.waitForSelector("#cashier-link");
      expect(await cashierLink.getAttribute("href")).toContain(`/__sandbox/${provider}/cashier?out_trade_no=`);
      const outTradeNo = (await page.textContent("#out-trade-no"))!;
      await shot(page, `${provider}-1-checkout-qr`);

      const [cashier] = await Promise.all([context.waitForEvent("page"), page.click("#cashier-link")]);
      await cashier.waitForSelector('button[data-action="pay"]');
      expect(await cashier.textContent("body")).toContain(outTradeNo);
      await shot(cashier, `${provider}-2-sandbox-cashier`);
      await cashier.click('button[data-action="pay"]');
      await cashier.waitForSelector('#result:text-is("支付成功")');
      await shot(cashier, `${provider}-3-cashier-paid`);
      await cashier.close();

      // The checkout page learns it from the server (the SDK's polling) and shows what the recharge hook did.
      await page.waitForSelector("#paid", { timeout: 20_000 });
      const balanceCell = await page.textContent('[data-effect="余额"] b');
      expect(balanceCell).toBe(`¥${((before + fen) / 100).toFixed(2)}`);
      expect(await balanceOf("console-user")).toBe(before + fen);
      await shot(page, `${provider}-4-checkout-paid`);

      await page.click("#order-link");
      await page.waitForSelector("#order-title");
      expect(await page.textContent("#order-title")).toContain(outTradeNo);
      expect(await page.textContent("main")).toContain("已支付");
      // The notification either paid the order or, when the page's own query got there first under load
      // (a payment applied by query is not a notification), arrived as a duplicate: never refused.
      expect(await page.textContent("#order-notifications")).toMatch(/已处理|重复/);
      await shot(page, `${provider}-5-order-detail`);

      await page.fill("#refund-amount", (refundFen / 100).toFixed(2));
      await page.click("#refund");
      const refundRow = await page.waitForSelector("#refunds tbody tr[data-out-refund-no]");
      const outRefundNo = (await refundRow.getAttribute("data-out-refund-no"))!;
      // WeChat settles a refund later and notifies (the sandbox settles it when told); Alipay answers at once.
      const { data: refunds } = await env.db.collection("vk-pay-refunds").where({ out_refund_no: outRefundNo }).get();
      if (refunds[0]?.status === "PROCESSING") {
        expect(await env.control(provider, "refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" })).toMatchObject({ ok: true });
      }
      await page.waitForSelector(`#refunds tr[data-out-refund-no="${outRefundNo}"] .pill[title="SUCCESS"]`, { timeout: 20_000 });
      expect(await page.textContent("#order-title + .pill")).toBe("已退款");
      expect(await balanceOf("console-user")).toBe(before + fen - refundFen);
      await shot(page, `${provider}-6-refunded`);
      await page.close();
    },
    90_000,
  );

  it("buys goods in App mode (the page stands in for uni.requestPayment) and shows the stock the hook took", async () => {
    const page = await context.newPage();
    await page.goto(`${env.url}/#/checkout`);
    await page.click('.seg button[data-value="goods"]');
    // Picking a provider or mode redraws the form, so the goods come last.
    await page.click('.seg button[data-value="wxpay"]');
    await page.click('.seg button[data-value="app-plus"]');
    await page.selectOption("#goods", "demo-mug");
    await page.fill("#quantity", "2");
    await page.click("#pay");
    const link = await page.waitForSelector("#cashier-link");
    expect(await page.textContent("#pay-body")).toContain("uni.requestPayment");
    expect(await page.$("#qr")).toBeNull();
    const cashier = await context.newPage();
    await cashier.goto(`${env.url}${await link.getAttribute("href")}`);
    await cashier.click('button[data-action="pay"]');
    await cashier.waitForSelector('#result:text-is("支付成功")');
    await cashier.close();
    await page.waitForSelector("#paid", { timeout: 20_000 });
    expect(await page.textContent('[data-effect="库存"] b')).toBe("48");
    expect(((await env.db.collection("vk-pay-goods").doc("demo-mug").get()).data[0] as { stock: number }).stock).toBe(48);
    await shot(page, "goods-app-plus-paid");
    await page.close();
  }, 60_000);

  it("closes an unpaid VIP order from its detail page", async () => {
    const page = await context.newPage();
    await page.goto(`${env.url}/#/checkout`);
    await page.click('.seg button[data-value="vip"]');
    await page.click('.seg button[data-value="alipay"]');
    await page.click("#pay");
    await page.waitForSelector("#qr");
    const outTradeNo = (await page.textContent("#out-trade-no"))!;
    await page.goto(`${env.url}/#/orders/${outTradeNo}`);
    await page.waitForSelector("#order-title + .pill[title=NOTPAY]");
    await page.click("#close-order");
    await page.waitForSelector("#order-title + .pill[title=CLOSED]");
    expect(await page.isDisabled("#close-order")).toBe(true);
    await shot(page, "vip-closed");
    await page.close();
  }, 60_000);

  it("lists both orders with filters, and the notification log with each verdict", async () => {
    const page = await context.newPage();
    await page.goto(`${env.url}/#/orders?provider=alipay`);
    await page.waitForSelector("#orders tbody tr");
    const providers = await page.$$eval("#orders tbody tr[data-out-trade-no] td:nth-child(3)", (cells) => cells.map((cell) => cell.firstChild?.textContent));
    // The Alipay recharge and the closed Alipay VIP order.
    expect(providers).toEqual(["alipay", "alipay"]);
    await page.goto(`${env.url}/#/orders`);
    await page.waitForFunction('document.querySelectorAll("#orders tbody tr[data-out-trade-no]").length === 4');
    await shot(page, "orders-list");

    await page.goto(`${env.url}/#/notifications`);
    await page.waitForSelector("#notifications tbody tr[data-outcome]");
    const outcomes = await page.$$eval("#notifications tbody tr[data-outcome]", (rows) => rows.map((row) => row.getAttribute("data-outcome")));
    expect(outcomes.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
    // Applied, or a duplicate of a payment the page's query applied first: nothing refused or ignored.
    expect(outcomes.every((outcome) => outcome === "applied" || outcome === "duplicate")).toBe(true);
    expect(outcomes).toContain("applied");
    await page.click("#notifications tbody tr[data-outcome]");
    await page.waitForSelector("#notifications tbody tr:not([hidden]) pre");
    await shot(page, "notifications");
    await page.close();
  }, 60_000);
});
