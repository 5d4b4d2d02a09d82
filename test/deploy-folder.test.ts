import { existsSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { DIST_DIR, PLUGIN_DIR, SPACE_DIR } from "../scripts/build/paths";

/**
 * Issue 14 item 2: what a user uploads with HBuilderX (the repository's `uniCloud/` or the plugin) holds
 * only vk-pay's own files, so it can never replace DCloud's uni-id-common, uni-config-center or the
 * project's uni-id-users schema. The emulator's stand-ins live in scripts/uni-cloud-mock/space/.
 */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split(sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

/** A path is vk-pay's own when it is the function, the library, or a vk-pay collection. */
const OWN_IN_SPACE = [/^cloudfunctions\/vk-pay\//, /^cloudfunctions\/common\/vk-uni-pay\//, /^database\/vk-pay-[a-z-]+\.(schema|index)\.json$/];
const OWN_IN_PLUGIN = [
  ...OWN_IN_SPACE.map((pattern) => new RegExp(`^uniCloud/${pattern.source.slice(1)}`)),
  /^templates\/uni-config-center\/uni-pay\/config\.js$/,
  /^js_sdk\//,
  /^(package\.json|readme\.md|changelog\.md)$/,
];

describe("the deploy folder and the plugin", () => {
  it("uniCloud/ holds only the vk-pay function, the vk-uni-pay library and vk-pay's collections", () => {
    const files = filesUnder(SPACE_DIR);
    expect(files).toContain("cloudfunctions/vk-pay/index.js");
    expect(files).toContain("cloudfunctions/common/vk-uni-pay/index.js");
    expect(files.filter((file) => !OWN_IN_SPACE.some((pattern) => pattern.test(file)))).toEqual([]);
  });

  it("the plugin holds only vk-pay's files, with no build metadata", () => {
    const files = filesUnder(PLUGIN_DIR);
    expect(files).toContain("uniCloud/cloudfunctions/vk-pay/index.js");
    expect(files.filter((file) => !OWN_IN_PLUGIN.some((pattern) => pattern.test(file)))).toEqual([]);
  });

  it("no DCloud module name, uni-id collection or build hash appears in either", () => {
    const all = [...filesUnder(SPACE_DIR), ...filesUnder(PLUGIN_DIR).filter((file) => !file.startsWith("templates/"))];
    expect(all.filter((file) => /(^|\/)(uni-id-common|uni-config-center|uni-id-[a-z-]+\.json|\.build-hash)(\/|$)/.test(file))).toEqual([]);
    // The build remembers its inputs in dist/, beside the plugin, not inside anything uploaded.
    expect(existsSync(join(DIST_DIR, ".build-hash"))).toBe(true);
  });
});
