import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PLUGIN_DIR, ROOT } from "../scripts/build/paths";

/** Issue 14 item 3: the files DCloud's plugin market expects in a uni_modules plugin. */
describe("the plugin's market files", () => {
  const manifest = () => JSON.parse(readFileSync(join(PLUGIN_DIR, "package.json"), "utf8"));
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

  it("has a package.json with id, displayName, version, dcloudext and uni_modules.dependencies", () => {
    const pkg = manifest();
    expect(pkg.id).toBe("vk-uni-pay");
    expect(typeof pkg.displayName).toBe("string");
    expect(pkg.displayName.length).toBeGreaterThan(0);
    expect(pkg.version).toBe(version);
    expect(pkg.dcloudext).toMatchObject({ type: expect.any(String), sale: expect.any(Object), declaration: expect.any(Object) });
    expect(pkg.uni_modules.dependencies).toEqual(expect.arrayContaining(["uni-config-center", "uni-id-common"]));
  });

  it("has a readme.md saying what to install and what an update replaces", () => {
    const readme = readFileSync(join(PLUGIN_DIR, "readme.md"), "utf8");
    expect(readme).toMatch(/^# vk-uni-pay/);
    expect(readme).toContain("templates/uni-config-center/uni-pay/config.js");
    expect(readme).toContain("uniCloud/cloudfunctions/vk-pay/service/pay-notify/recharge.js");
    expect(readme).not.toMatch(/\{\{\w+\}\}/);
  });

  it("has a changelog.md whose first entry is this version", () => {
    const file = join(PLUGIN_DIR, "changelog.md");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8").split("\n")[0]).toMatch(new RegExp(`^## ${version.replace(/\./g, "\\.")}`));
  });
});
