import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBuiltSpace } from "../helpers/built-space";
import { postJson } from "../helpers/fixture-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/** The pay and admin routes through the built bundle, up to the point where a provider would be called. */
describe("vk-pay routes", () => {
  let env: Awaited<ReturnType<typeof startBuiltSpace>>;
  let user: string;
  let other: string;
  let admin: string;
  const call = async (url: string, token: string | undefined, data: Record<string, unknown> = {}) =>
    (await postJson(`${env.url}/http/vk-pay`, { url, data }, token ? { "uni-id-token": token } : {})).json;

  beforeAll(async () => {
    env = await startBuiltSpace();
    await env.db.collection("uni-id-users").add([
      { _id: "u1", role: [], status: 0, balance: 0 },
      { _id: "u2", role: [], status: 0, balance: 0 },
      { _id: "boss", role: ["admin"], status: 0 },
    ]);
    await env.db.collection("vk-pay-goods").add([{ _id: "g1", name: "钢笔", price: 1990, stock: 2 }]);
    await env.db.collection("vk-pay-orders").add([
      { out_trade_no: "U1-ORDER", user_id: "u1", status: "NOTPAY", type: "recharge", provider: "wxpay", pay_type: "wxpay_h5", total_fee: 100, create_date: 1 },
      {
        out_trade_no: "U2-ORDER",
        user_id: "u2",
        status: "SUCCESS",
        type: "goods",
        provider: "wxpay",
        pay_type: "wxpay_h5",
        total_fee: 300,
        create_date: 2,
        user_order_success: true,
        app_auth_token: "202601BB-secret-token",
      },
    ]);
    user = await mintToken(TEST_SECRET, { uid: "u1" });
    other = await mintToken(TEST_SECRET, { uid: "u2" });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it("lists goods and VIP plans from the server's own data", async () => {
    expect(await call("pay/getGoods", user)).toEqual({ code: 0, msg: "success", data: { rows: [{ _id: "g1", name: "钢笔", price: 1990, stock: 2 }] } });
    expect(await call("pay/getVipPlans", user)).toMatchObject({
      code: 0,
      data: {
        rows: [
          { vip_type: "month", total_fee: 3000, days: 30 },
          { vip_type: "year", total_fee: 29900, days: 365 },
        ],
      },
    });
  });

  it.each([
    [{ provider: "wxpay", type: "../recharge" }, 1002],
    [{ provider: "wxpay", type: "nothing" }, 1002],
    [{ provider: "wxpay", type: "custom" }, 1002],
    [{ type: "recharge", total_fee: 100 }, 1005],
    [{ provider: "wxpay", type: "recharge", total_fee: 50 }, 1003],
    [{ provider: "wxpay", type: "recharge", total_fee: { $gt: 0 } }, 1003],
    [{ provider: "wxpay", type: "vip", custom: { vip_type: "forever" } }, -1],
    [{ provider: "wxpay", type: "vip", total_fee: 1, custom: { vip_type: "year" } }, 1003],
    [{ provider: "wxpay", type: "goods", custom: { goods_id: "g1", quantity: 3 } }, -1],
    [{ provider: "wxpay", type: "goods", total_fee: 1990, custom: { goods_id: "g1", quantity: 2 } }, 1003],
  ])("refuses createPayment %o with code %i before any order exists", async (data, code) => {
    expect(await call("pay/createPayment", user, data)).toMatchObject({ code });
    expect((await env.db.collection("vk-pay-orders").count()).total).toBe(2);
  });

  it("answers another user's order exactly like a missing one", async () => {
    expect(await call("pay/queryPayment", other, { out_trade_no: "U1-ORDER" })).toMatchObject({ code: 2001 });
    expect(await call("pay/closeOrder", other, { out_trade_no: "U1-ORDER" })).toMatchObject({ code: 2001 });
    expect(await call("pay/queryPayment", user, { out_trade_no: "NOPE" })).toMatchObject({ code: 2001 });
  });

  it("keeps the admin routes for admins", async () => {
    for (const url of [
      "admin/orders",
      "admin/notifications",
      "admin/refund",
      "admin/applyAbnormalRefund",
      "admin/reconcile",
      "admin/hookRetry",
      "admin/migrate",
      "admin/transfer",
      "admin/queryTransfer",
      "admin/cancelTransfer",
      "admin/transfers",
    ]) {
      expect({ url, reply: await call(url, user) }).toMatchObject({ url, reply: { code: 403 } });
      expect({ url, reply: await call(url, undefined) }).toMatchObject({ url, reply: { code: 30202 } });
    }
  });

  it("lists, filters, pages and details orders for an admin", async () => {
    const page = await call("admin/orders", admin, { pageSize: 1 });
    expect(page).toMatchObject({ code: 0, data: { total: 2, hasMore: true, rows: [{ out_trade_no: "U2-ORDER" }] } });
    expect(await call("admin/orders", admin, { where: { user_id: "u1" } })).toMatchObject({
      code: 0,
      data: { total: 1, rows: [{ out_trade_no: "U1-ORDER" }] },
    });
    expect(await call("admin/orders", admin, { out_trade_no: "U2-ORDER" })).toMatchObject({
      code: 0,
      data: { order: { total_fee: 300, app_auth_token: "***" }, refunds: [], notifications: [] },
    });
    // A credential stored on an order never reaches the back office's screen.
    expect(JSON.stringify(await call("admin/orders", admin, {}))).not.toContain("secret-token");
    // A date window (the console's day filter): gte inclusive, lt exclusive.
    expect(await call("admin/orders", admin, { where: { create_date: { gte: 2, lt: 3 } } })).toMatchObject({
      code: 0,
      data: { total: 1, rows: [{ out_trade_no: "U2-ORDER" }] },
    });
    expect(await call("admin/orders", admin, { where: { create_date: { lt: 2 } } })).toMatchObject({
      code: 0,
      data: { total: 1, rows: [{ out_trade_no: "U1-ORDER" }] },
    });
    for (const bad of [
      { where: { user_id: { $ne: "" } } },
      { where: { create_date: { $gt: 0 } } },
      { where: { create_date: { gte: "1" } } },
      { where: { user_id: { gte: 1 } } },
      { where: { password: "x" } },
      { orderBy: "create_date; drop" },
      { pageSize: 5000 },
      { where: "x" },
    ]) {
      expect(await call("admin/orders", admin, bad)).toMatchObject({ code: -1 });
    }
  });

  it("refuses an admin refund of an unpaid order, and answers the refund-free order's queryRefund with 2003", async () => {
    expect(await call("admin/refund", admin, { out_trade_no: "U1-ORDER" })).toMatchObject({ code: 2002 });
    expect(await call("admin/queryRefund", admin, { out_trade_no: "U2-ORDER" })).toMatchObject({ code: 2003 });
    expect(await call("admin/refund", admin, { out_trade_no: { $gt: "" } })).toMatchObject({ code: 1001 });
  });

  it("answers the transfer routes from the ledger: an unknown bill is 4003, a transfer without a provider is refused, pending is the caller's own", async () => {
    for (const url of ["admin/queryTransfer", "admin/cancelTransfer"]) {
      expect({ url, reply: await call(url, admin, { out_bill_no: "B1" }) }).toMatchObject({ url, reply: { code: 4003, errCode: "vk-pay-transfer-not-found" } });
    }
    expect(await call("admin/transfer", admin, { out_bill_no: "B1", money: 100, openid: "o1" })).toMatchObject({ code: 1005 });
    expect(await call("admin/transfers", admin, {})).toMatchObject({ code: 0, data: { rows: [] } });
    expect(await call("pay/transfer/pending", user)).toMatchObject({ code: 0, data: { rows: [] } });
    expect(await call("pay/transfer/pending", undefined)).toMatchObject({ code: 30202 });
    // The payee is the token's user: data naming another user, an amount or an openid changes nothing.
    expect(await call("pay/transfer/pending", user, { user_id: "u2", openid: "o1", transfer_amount: 100 })).toMatchObject({ code: 0, data: { rows: [] } });
    expect(await call("admin/hookRetry", admin, { out_bill_no: "B1" })).toMatchObject({ code: 4003 });
  });

  it("runs the reconciliation on demand and records it", async () => {
    expect(await call("admin/reconcile", admin)).toMatchObject({ code: 0, data: { errors: expect.any(Array) } });
    expect((await env.db.collection("vk-pay-task-log").count()).total).toBeGreaterThanOrEqual(1);
  });

  it("migrates a vk-uni-pay order on the cloud route: a dry run first, then the write, then nothing left", async () => {
    await env.db
      .collection("vk-pay-orders")
      .add({ out_trade_no: "LEGACY-1", user_id: "u1", status: 1, type: "recharge", pay_type: "wxpay_h5", total_fee: 100, create_date: 3 });
    expect(await call("admin/migrate", admin)).toMatchObject({
      code: 0,
      data: { dry_run: true, migrated: 1, changes: [{ out_trade_no: "LEGACY-1", from: 1, to: "SUCCESS" }] },
    });
    expect((await env.db.collection("vk-pay-orders").where({ out_trade_no: "LEGACY-1" }).get()).data[0]).toMatchObject({ status: 1 });
    expect(await call("admin/migrate", admin, { dry_run: false })).toMatchObject({ code: 0, data: { dry_run: false, migrated: 1 } });
    expect((await env.db.collection("vk-pay-orders").where({ out_trade_no: "LEGACY-1" }).get()).data[0]).toMatchObject({
      status: "SUCCESS",
      provider: "wxpay",
    });
    expect(await call("admin/migrate", admin, { dry_run: false })).toMatchObject({ code: 0, data: { scanned: 0, migrated: 0 } });
  });
});

/**
 * Money leaves only through an admin: no route a user or the public may call reaches a transfer verb, so
 * an amount or a payee is never taken from a client's data.
 */
describe("transfer verbs behind the admin role", () => {
  it("only admin routes call transfer, cancelTransfer, queryTransfer or the hooks' retry", () => {
    const files = (readdirSync(join(__dirname, "../../router/service"), { recursive: true }) as string[]).filter((file) => file.endsWith(".ts"));
    const callers = files.filter((file) =>
      /\.(transfer|cancelTransfer|queryTransfer|retryHooks)\(/.test(readFileSync(join(__dirname, "../../router/service", file), "utf8")),
    );
    expect(callers.sort()).toEqual(["admin/cancelTransfer.ts", "admin/hookRetry.ts", "admin/queryTransfer.ts", "admin/transfer.ts"]);
    for (const file of callers) expect(readFileSync(join(__dirname, "../../router/service", file), "utf8")).toMatch(/export const access = "admin";/);
  });
});
