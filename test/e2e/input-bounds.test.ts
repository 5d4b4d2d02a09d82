import { nested } from "../helpers/deep-objects";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/**
 * Hostile shapes of client-supplied objects through the real HTTP path (`/http/vk-pay` in the emulator):
 * a `custom` nested 100,000 levels deep or 50,000 keys wide is refused with -1 before anything walks it, and
 * no order is created; a nested custom a real shop sends still pays.
 */

const DEPTH = 100_000;

/** `{ "a": { "a": … {} } }` as JSON text, built by hand: JSON.stringify itself overflows on it. */
function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}{}${"}".repeat(depth)}`;
}

describe("client objects beyond any real shop's, end to end", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let user: string;
  let admin: string;

  /** POSTs `{ url, data }` whose `data` is given as JSON text. */
  const post = async (url: string, dataJson: string, token = user) => {
    const response = await fetch(`${env.url}/http/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "uni-id-token": token },
      body: `{"url":${JSON.stringify(url)},"data":${dataJson}}`,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { code: number; msg: string; errCode?: string; data?: any };
  };
  const orders = async () => (await env.db.collection("vk-pay-orders").count()).total as number;
  const createWith = (customJson: string, extra = "") =>
    post("pay/createPayment", `{"provider":"wxpay","type":"recharge","total_fee":100,"isPC":true,"vk_platform":"web"${extra},"custom":${customJson}}`);

  beforeAll(async () => {
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add([
      { _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 },
      { _id: "boss", role: ["admin"], status: 0 },
    ]);
    user = await mintToken(TEST_SECRET, { uid: "u1" });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it(`refuses a custom nested ${DEPTH} levels deep (about 600 KB) with -1, and creates no order`, async () => {
    const before = await orders();
    const body = deepJson(DEPTH);
    expect(body.length).toBeGreaterThan(500_000);
    expect(await createWith(body)).toMatchObject({ code: -1, errCode: "vk-pay-data-too-deep", msg: expect.stringContaining("32") });
    expect(await orders()).toBe(before);
  });

  it("refuses the same deep custom through the uni-app client's call", async () => {
    const before = await orders();
    const event = `{"url":"pay/createPayment","uniIdToken":${JSON.stringify(user)},"data":{"provider":"wxpay","type":"recharge","total_fee":100,"isPC":true,"custom":${deepJson(DEPTH)}}}`;
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"event":${event},"clientInfo":{"PLATFORM":"web","APPID":"__UNI__TEST"}}`,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: unknown }).result).toMatchObject({ code: -1, errCode: "vk-pay-data-too-deep" });
    expect(await orders()).toBe(before);
  });

  it("refuses a custom 50,000 keys wide with -1, and creates no order", async () => {
    const before = await orders();
    const wide = `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    expect(await createWith(wide)).toMatchObject({ code: -1, errCode: "vk-pay-data-too-many-keys" });
    expect(await orders()).toBe(before);
  });

  it("refuses an `other` deeper than the limit just the same", async () => {
    const before = await orders();
    expect(await createWith("{}", `,"other":${deepJson(40)}`)).toMatchObject({ code: -1, errCode: "vk-pay-data-too-deep" });
    expect(await orders()).toBe(before);
  });

  it("still creates the order for a nested custom a real shop sends", async () => {
    const before = await orders();
    const custom = { cart: [{ sku: "pen", options: { colour: { name: "blue", code: "#00f" } }, qty: 1 }], note: "生日礼物" };
    expect(await createWith(JSON.stringify(custom))).toMatchObject({ code: 0, data: { pay_type: "wxpay_h5", total_fee: 100 } });
    expect(await orders()).toBe(before + 1);
  });

  it("serves the detail of a stored order as deep as the database allows (100 levels, as MongoDB): nothing that walks it overflows", async () => {
    const orders = env.db.collection("vk-pay-orders");
    // Server code or an older version may have stored one; the database itself refuses anything deeper.
    await expect(orders.add({ out_trade_no: "TOO-DEEP", custom: nested(150) })).rejects.toThrow(/nesting/);
    await orders.add({
      out_trade_no: "DEEP-1",
      user_id: "u1",
      status: "NOTPAY",
      type: "custom",
      provider: "wxpay",
      pay_type: "wxpay_h5",
      total_fee: 100,
      create_date: 1,
      custom: nested(99),
    });
    const detail = await post("admin/orders", '{"out_trade_no":"DEEP-1"}', admin);
    expect(detail).toMatchObject({ code: 0, data: { order: { out_trade_no: "DEEP-1", custom: { a: { a: {} } } } } });
    let depth = 0;
    for (let node = detail.data.order.custom; node; node = node.a) depth += 1;
    expect(depth).toBe(99);
  });
});
