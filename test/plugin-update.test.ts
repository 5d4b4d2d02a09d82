import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { PLUGIN_DIR, ROOT } from "../scripts/build/paths";

/**
 * Issue 14 item 3. HBuilderX updates a uni_modules plugin by replacing its folder whole. The uni-pay
 * config lives in the project's own uni-config-center and survives; the order-type hooks stay inside
 * the plugin (the vk-pay function loads them from beside its bundle, the only place a deployed
 * function can read), so an update replaces them, and the README says so, file by file.
 */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split(sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

describe("a plugin update as HBuilderX applies it", () => {
  let project: string;
  const plugin = () => join(project, "uni_modules/vk-uni-pay");
  const userConfig = () => join(project, "uni_modules/uni-config-center/uniCloud/cloudfunctions/common/uni-config-center/uni-pay/config.js");
  const hook = () => join(plugin(), "uniCloud/cloudfunctions/vk-pay/service/pay-notify/recharge.js");

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "vk-pay-update-"));
    cpSync(PLUGIN_DIR, plugin(), { recursive: true });
    // What the installation steps tell a user to do: copy the template out of the plugin and fill it in.
    mkdirSync(join(userConfig(), ".."), { recursive: true });
    writeFileSync(
      userConfig(),
      readFileSync(join(plugin(), "templates/uni-config-center/uni-pay/config.js"), "utf8").replace('notifyKey: ""', 'notifyKey: "the-users-own-key"'),
    );
    writeFileSync(hook(), `${readFileSync(hook(), "utf8")}\n// the user's own edit\n`);
    // The update: the plugin folder replaced by the new version's.
    rmSync(plugin(), { recursive: true, force: true });
    cpSync(PLUGIN_DIR, plugin(), { recursive: true });
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("keeps the user's uni-pay config, which lives outside the plugin", () => {
    expect(readFileSync(userConfig(), "utf8")).toContain("the-users-own-key");
  });

  it("replaces the hooks inside the plugin: the user's edit is gone", () => {
    expect(existsSync(hook())).toBe(true);
    expect(readFileSync(hook(), "utf8")).not.toContain("the user's own edit");
  });

  it("the README names every user-editable file an update replaces", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Updating the plugin"));
    expect(section.length).toBeGreaterThan(0);
    const hooks = filesUnder(plugin()).filter((file) => file.includes("/service/pay-notify/"));
    expect(hooks.length).toBeGreaterThanOrEqual(4);
    for (const file of hooks) expect(section).toContain(`uni_modules/vk-uni-pay/${file}`);
    expect(section).toContain("uni-config-center/uni-pay/config.js");
  });
});
