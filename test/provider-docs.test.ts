import { readFileSync } from "node:fs";
import { join } from "node:path";
import { registeredProviders } from "../common/vk-uni-pay/src/providers";
import { PLUGIN_DIR } from "../scripts/build/paths";
import { providerRows, providerTable, README_FILE, readmeWithProviderTable } from "../scripts/build/provider-table";

/** Issue 14 item 4: the README's provider table and the plugin's description say what the registry holds. */
describe("provider documents generated from the registry", () => {
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

  it("a stale table is caught: a README whose table says less than the registry is rewritten", () => {
    const readme = readFileSync(README_FILE, "utf8").replace(/\r\n/g, "\n");
    // The README as it read before `wxpay` landed: the row of a registered provider still saying "not yet".
    const stale = readme.replace(/^\| `wxpay` \| 微信支付 \| available \|[^\n]*$/m, "| `wxpay` | 微信支付 | not yet: answers code 100 (暂不可用) |  |  |");
    expect(stale).not.toBe(readme);
    expect(readmeWithProviderTable(stale)).toBe(readme);
  });

  it("the built plugin's description and readme promise only the available providers", () => {
    const manifest = JSON.parse(readFileSync(join(PLUGIN_DIR, "package.json"), "utf8"));
    expect(manifest.description).toContain("微信支付");
    expect(manifest.description).toContain("支付宝");
    // Read from the registry, so each provider that lands moves from one list to the other by itself.
    const rows = providerRows();
    for (const row of rows.filter((candidate) => candidate.available)) expect(manifest.description).toContain(row.label);
    const readme = readFileSync(join(PLUGIN_DIR, "readme.md"), "utf8");
    for (const row of rows.filter((candidate) => !candidate.available)) {
      expect(manifest.description).not.toContain(row.label);
      expect(readme).toContain(`| \`${row.name}\` | ${row.label} | not yet: answers code 100`);
    }
  });
});
