import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPayingSpace } from "./helpers/paying-space";
import { mintToken, TEST_SECRET } from "./helpers/tokens";

/**
 * Issue 14 item 5: in the cloud a developer has only the function's log. An error thrown inside an order
 * type's hook must log a stack that names the hook's file and function, and the library's own frames by
 * their source names, not a minifier's one-letter ones.
 */
const BROKEN_HOOK = `"use strict";
exports.create = function create({ input }) {
  return { total_fee: input.total_fee, subject: "broken", custom: {} };
};
exports.paid = async function paid() {
  return creditTheWarehouse();
};
function creditTheWarehouse() {
  throw new Error("the warehouse is closed");
}
`;

describe("an error thrown in a hook", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  const lines: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareSpace: (spaceDir) => writeFileSync(join(spaceDir, "cloudfunctions/vk-pay/service/pay-notify/broken.js"), BROKEN_HOOK),
    });
    await env.db.collection("uni-id-users").add({ _id: "u-stack", role: [], status: 0, balance: 0 });
    spy = jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  });
  afterAll(async () => {
    spy.mockRestore();
    await env.close();
  });

  it("logs a stack naming the hook's file and function, and the library's frames by name", async () => {
    const token = await mintToken(TEST_SECRET, { uid: "u-stack" });
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        event: { url: "pay/createPayment", data: { provider: "wxpay", type: "broken", total_fee: 100, isPC: true }, uniIdToken: token },
        clientInfo: { PLATFORM: "web" },
      }),
    });
    const created = ((await response.json()) as { result: any }).result;
    expect(created).toMatchObject({ code: 0 });
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();

    const failure = lines.find((line) => line.includes("the warehouse is closed"));
    expect(failure).toBeDefined();
    expect(failure).toMatch(/at creditTheWarehouse \(.*[\\/]service[\\/]pay-notify[\\/]broken\.js:\d+:\d+\)/);
    expect(failure).toMatch(/at (Object\.)?paid \(.*broken\.js:\d+:\d+\)/);
    // The library's frames by their names in common/vk-uni-pay/src/core/ (hooks.ts, settle-payment.ts).
    expect(failure).toMatch(/at callPaidHookIn \(.*vk-uni-pay[\\/]index\.js:\d+:\d+\)/);
    expect(failure).toMatch(/at settlePayment /);
  });
});
