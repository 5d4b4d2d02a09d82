import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { PLUGIN_DIR, SPACE_COMMON, SPACE_FUNCTIONS, STAND_IN_COMMON } from "../scripts/build/paths";
import { discoverRoutes } from "../scripts/build/routes-plugin";
import { BUILT_IN_PROVIDERS } from "../common/vk-uni-pay/src/providers";

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("the local space built into uniCloud/", () => {
  it("has the vk-pay function with cloudfunction-config HBuilderX applies on upload", () => {
    const pkg = readJson(join(SPACE_FUNCTIONS, "vk-pay/package.json"));
    expect(pkg.name).toBe("vk-pay");
    expect(pkg.main).toBe("index.js");
    expect(pkg["cloudfunction-config"]).toMatchObject({ path: "/http/vk-pay", runtime: "Nodejs18" });
    const [trigger, ...rest] = pkg["cloudfunction-config"].triggers;
    expect(rest).toHaveLength(0);
    expect(trigger.type).toBe("timer");
    expect(trigger.config.split(" ")).toHaveLength(7);
    expect(pkg.dependencies).toEqual({
      "vk-uni-pay": "file:../common/vk-uni-pay",
      "uni-config-center": "file:../common/uni-config-center",
      "uni-id-common": "file:../common/uni-id-common",
    });
  });

  it("has each common module in a folder named like the module, with CommonJS exports", () => {
    const dirs = [join(SPACE_COMMON, "vk-uni-pay"), join(STAND_IN_COMMON, "uni-config-center"), join(STAND_IN_COMMON, "uni-id-common")];
    for (const dir of dirs) {
      const name = basename(dir);
      expect(readJson(join(dir, "package.json")).name).toBe(name);
      const code = readFileSync(join(dir, "index.js"), "utf8");
      expect(code).toMatch(/module\.exports/);
      expect(code).not.toMatch(/^\s*(import|export)\s/m);
    }
  });

  it("keeps each bundle under 400 KB and free of the emulator", () => {
    const providerFiles = readdirSync(join(SPACE_COMMON, "vk-uni-pay/providers")).map((file) => join(SPACE_COMMON, "vk-uni-pay/providers", file));
    for (const file of [join(SPACE_FUNCTIONS, "vk-pay/index.js"), join(SPACE_COMMON, "vk-uni-pay/index.js"), ...providerFiles]) {
      expect(statSync(file).size).toBeLessThan(400 * 1024);
      const code = readFileSync(file, "utf8");
      expect(code).not.toContain("better-sqlite3");
      expect(code).not.toContain("uni-cloud-mock");
    }
  });

  it("loads the library without its lazy libraries (QR codes, v2 XML) until a call needs them", () => {
    const library = join(SPACE_COMMON, "vk-uni-pay");
    for (const name of ["qrcode", "fast-xml-parser"]) expect(existsSync(join(library, "lib", `${name}.js`))).toBe(true);
    // A fresh process: require the bundle and list what else it loaded from the library's folder.
    const loaded = execFileSync(
      process.execPath,
      ["-e", `require(${JSON.stringify(join(library, "index.js"))}); console.log(JSON.stringify(Object.keys(require.cache)))`],
      { encoding: "utf8" },
    );
    expect((JSON.parse(loaded) as string[]).filter((file) => file.startsWith(library))).toEqual([join(library, "index.js")]);
  });

  it("ships each built-in provider as its own CommonJS file, required by relative paths inside the library only", () => {
    const providers = join(SPACE_COMMON, "vk-uni-pay/providers");
    expect(readdirSync(providers).sort()).toEqual(
      Object.keys(BUILT_IN_PROVIDERS)
        .map((folder) => `${folder}.js`)
        .sort(),
    );
    const main = readFileSync(join(SPACE_COMMON, "vk-uni-pay/index.js"), "utf8");
    expect(main).toContain(`"VkPayError"`);
    for (const folder of Object.keys(BUILT_IN_PROVIDERS)) {
      expect(main).toContain(`require("./providers/${folder}.js")`);
      const code = readFileSync(join(providers, `${folder}.js`), "utf8");
      expect(code).not.toMatch(/^\s*(import|export)\s/m);
      // Node's own modules, the lazy libraries beside the bundle, nothing else: the core comes from the main bundle.
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!);
      expect(required.filter((name) => !name.startsWith("node:") && !/^\.\.\/lib\/[a-z-]+\.js$/.test(name))).toEqual([]);
      // keepNames names each class once where it is defined: the error classes live in the main bundle alone.
      expect(code).not.toContain(`"VkPayError"`);
    }
  });

  it("bundles every route file under router/service/ and leaves DCloud's modules external", () => {
    const code = readFileSync(join(SPACE_FUNCTIONS, "vk-pay/index.js"), "utf8");
    const routes = [...discoverRoutes().keys()];
    expect(routes).toContain("user/getInfo");
    for (const route of routes) expect(code).toContain(JSON.stringify(route));
    expect(code).toMatch(/require\("uni-id-common"\)/);
    expect(code).toMatch(/require\("vk-uni-pay"\)/);
  });
});

describe("the plugin built into dist/uni_modules/vk-uni-pay/", () => {
  it("is a uni_modules plugin whose manifest names its DCloud dependencies", () => {
    const manifest = readJson(join(PLUGIN_DIR, "package.json"));
    expect(manifest.id).toBe("vk-uni-pay");
    expect(manifest.uni_modules.dependencies).toEqual(["uni-config-center", "uni-id-common"]);
  });

  it("points the function at the project's own uni-config-center and uni-id-common", () => {
    const fnDir = join(PLUGIN_DIR, "uniCloud/cloudfunctions/vk-pay");
    const pkg = readJson(join(fnDir, "package.json"));
    expect(pkg["cloudfunction-config"]).toMatchObject({ path: "/http/vk-pay", runtime: "Nodejs18" });
    expect(pkg.dependencies["vk-uni-pay"]).toBe("file:../common/vk-uni-pay");
    // From .../uni_modules/vk-uni-pay/uniCloud/cloudfunctions/vk-pay, four levels up is uni_modules/.
    const uniModules = join(fnDir, "../../../..");
    expect(join(fnDir, pkg.dependencies["uni-config-center"].slice(5))).toBe(
      join(uniModules, "uni-config-center/uniCloud/cloudfunctions/common/uni-config-center"),
    );
    expect(join(fnDir, pkg.dependencies["uni-id-common"].slice(5))).toBe(join(uniModules, "uni-id-common/uniCloud/cloudfunctions/common/uni-id-common"));
    const library = join(PLUGIN_DIR, "uniCloud/cloudfunctions/common/vk-uni-pay");
    const libraryPkg = readJson(join(library, "package.json"));
    expect(libraryPkg.name).toBe("vk-uni-pay");
    expect(join(library, libraryPkg.dependencies["uni-config-center"].slice(5))).toBe(
      join(uniModules, "uni-config-center/uniCloud/cloudfunctions/common/uni-config-center"),
    );
  });

  it("ships no DCloud module, no node_modules, and no uni-id-users definition of its own", () => {
    const common = readdirSync(join(PLUGIN_DIR, "uniCloud/cloudfunctions/common"));
    expect(common).toEqual(["vk-uni-pay"]);
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name, ...walk(join(dir, e.name))] : [e.name]));
    expect(walk(PLUGIN_DIR)).not.toContain("node_modules");
    const database = readdirSync(join(PLUGIN_DIR, "uniCloud/database"));
    expect(database).toContain("vk-pay-orders.schema.json");
    expect(database).toContain("vk-pay-orders.index.json");
    expect(database.filter((f) => f.startsWith("uni-id-"))).toEqual([]);
  });

  it("carries the uni-pay config template, and the same bundles as the local space", () => {
    expect(existsSync(join(PLUGIN_DIR, "templates/uni-config-center/uni-pay/config.js"))).toBe(true);
    expect(readFileSync(join(PLUGIN_DIR, "uniCloud/cloudfunctions/vk-pay/index.js"))).toEqual(readFileSync(join(SPACE_FUNCTIONS, "vk-pay/index.js")));
  });
});
