import { readFileSync } from "node:fs";
import { join } from "node:path";
import { registeredProviders, registerProvider } from "../common/vk-uni-pay/src/providers";
import type { PaymentProvider } from "../common/vk-uni-pay/src/kernel/contract";
import { PLUGIN_DIR } from "../scripts/build/paths";
import { pluginDescription, providerRows, providerTable, README_FILE, readmeWithProviderTable } from "../scripts/build/provider-table";

/** Issue 14 item 4: the README's provider table and the plugin's description say what the registry holds. */
describe("provider documents generated from the registry", () => {
  const rowsAtLoad = providerRows();
  it("lists as available exactly the registered providers, the rest as answering 100", () => {
    const rows = providerRows();
    expect(rows.filter((row) => row.available).map((row) => row.name)).toEqual(registeredProviders().filter((name) => rows.some((row) => row.name === name)));
    expect(rows.find((row) => row.name === "wxpay")?.available).toBe(true);
    expect(rows).toHaveLength(7);
    for (const row of rows.filter((candidate) => !candidate.available)) {
      expect(providerTable(rows)).toContain(`| \`${row.name}\` | ${row.label} | not yet: answers code 100`);
    }
  });

  it("the README's table is the generated one (run `npm run -s docs` after adding a provider)", () => {
    const readme = readFileSync(README_FILE, "utf8").replace(/\r\n/g, "\n");
    expect(readmeWithProviderTable(readme)).toBe(readme);
  });

  it("a stale table is caught: the README as it would read before a newly registered provider", () => {
    const readme = readFileSync(README_FILE, "utf8").replace(/\r\n/g, "\n");
    // Any provider still to land will do; once all have, nothing can be stale.
    const pending = providerRows().find((row) => !row.available);
    if (!pending) return;
    const fake = {
      name: pending.name,
      capabilities: { modes: ["mp-test"], query: true, close: true, refund: true, refundNotify: true },
    } as unknown as PaymentProvider;
    registerProvider(fake);
    expect(providerRows().find((row) => row.name === pending.name)).toMatchObject({ available: true, modes: ["mp-test"] });
    expect(readmeWithProviderTable(readme)).not.toBe(readme);
    expect(pluginDescription()).toContain(pending.label);
  });

  it("the built plugin's description and readme promise only the available providers", () => {
    const manifest = JSON.parse(readFileSync(join(PLUGIN_DIR, "package.json"), "utf8"));
    expect(manifest.description).toContain("微信支付");
    expect(manifest.description).toContain("支付宝");
    // Read from the registry (before the test above adds its double), so each provider that lands moves from one list to the other by itself.
    const rows = rowsAtLoad;
    for (const row of rows.filter((candidate) => candidate.available)) expect(manifest.description).toContain(row.label);
    const readme = readFileSync(join(PLUGIN_DIR, "readme.md"), "utf8");
    for (const row of rows.filter((candidate) => !candidate.available)) {
      expect(manifest.description).not.toContain(row.label);
      expect(readme).toContain(`| \`${row.name}\` | ${row.label} | not yet: answers code 100`);
    }
  });
});
