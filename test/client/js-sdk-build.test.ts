import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PLUGIN_DIR } from "../../scripts/build/paths";

/** What a uni-app page imports: the plugin's js_sdk, one ES module with no imports of its own. */
describe("the built client SDK", () => {
  const file = join(PLUGIN_DIR, "js_sdk/vk-uni-pay-client.js");

  it("is a self-contained ES module exporting vkPay and createVkPay", () => {
    const code = readFileSync(file, "utf8");
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/require\(/);
    expect(code).toMatch(/export\s*\{/);
  });

  it("runs as imported: a query through a stand-in uniCloud with the action key", () => {
    const script = `
      const { createVkPay, vkPay } = await import(${JSON.stringify(`file://${file}`)});
      const sent = [];
      const host = { uni: {}, uniCloud: { callFunction: async (o) => (sent.push(o), { result: { code: 0, data: { trade_state: "SUCCESS", orderPaid: true } } }) }, sleep: async () => {} };
      const state = await createVkPay({ host, actionKey: "action" }).queryPayment({ out_trade_no: "T9" });
      console.log(JSON.stringify({ state, sent, hasDefault: typeof vkPay.pay }));`;
    const out = execFileSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({
      state: { trade_state: "SUCCESS", orderPaid: true },
      sent: [{ name: "vk-pay", data: { action: "pay/queryPayment", data: { out_trade_no: "T9", await_notify: false } } }],
      hasDefault: "function",
    });
  });
});
