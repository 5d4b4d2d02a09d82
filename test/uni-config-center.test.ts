import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConfigCenter, emulatorOverrideRoot } from "../common/uni-config-center/src/config-center";
import { lookupPath, splitPath } from "../common/uni-config-center/src/path-lookup";
import createConfigDefault = require("../common/uni-config-center/src/index");

let root: string;
let moduleDir: string;
let overrideDir: string;
let override: string | undefined;

function write(dir: string, pluginId: string, file: string, content: string): string {
  mkdirSync(join(dir, pluginId), { recursive: true });
  const full = join(dir, pluginId, file);
  writeFileSync(full, content);
  return full;
}

function center() {
  return createConfigCenter({ moduleDir, overrideRoot: () => override });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "config-center-"));
  moduleDir = join(root, "module");
  overrideDir = join(root, "data", "uni-config-center");
  mkdirSync(moduleDir, { recursive: true });
  override = undefined;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("config()", () => {
  test("deep-merges config.json over defaultConfig, arrays replaced whole", () => {
    write(moduleDir, "plugin-a", "config.json", JSON.stringify({ b: { y: 20, z: 30 }, list: [9], top: "user" }));
    const defaultConfig = { b: { x: 1, y: 2 }, list: [1, 2, 3], keep: true };
    const cfg = center()({ pluginId: "plugin-a", defaultConfig });
    expect(cfg.config()).toEqual({ b: { x: 1, y: 20, z: 30 }, list: [9], keep: true, top: "user" });
    // The caller's default object is never written into.
    expect(defaultConfig).toEqual({ b: { x: 1, y: 2 }, list: [1, 2, 3], keep: true });
  });

  test("returns the defaults, or {}, when the plugin has no config.json", () => {
    const create = center();
    expect(create({ pluginId: "none" }).config()).toEqual({});
    expect(create({ pluginId: "none-with-default", defaultConfig: { a: 1 } }).config()).toEqual({ a: 1 });
  });

  test("a top-level array (uni-id multi-app config) is returned as an array", () => {
    write(moduleDir, "uni-id", "config.json", JSON.stringify([{ dcloudAppid: "__UNI__A" }, { isDefaultConfig: true }]));
    const value = center()({ pluginId: "uni-id" }).config();
    expect(Array.isArray(value)).toBe(true);
    expect(value).toHaveLength(2);
  });

  test("path lookup with dots and brackets, fallback only when absent", () => {
    write(moduleDir, "p", "config.json", JSON.stringify({ a: { b: [{ c: "deep" }, 0] }, n: null, zero: 0 }));
    const cfg = center()({ pluginId: "p" });
    expect(cfg.config("a.b[0].c")).toBe("deep");
    expect(cfg.config("a.b[1]", 5)).toBe(0);
    expect(cfg.config("zero", 7)).toBe(0);
    expect(cfg.config("n", "fallback")).toBeNull();
    expect(cfg.config("a.b[2]", "fallback")).toBe("fallback");
    expect(cfg.config("a.missing.deeper", 42)).toBe(42);
    expect(cfg.config("missing")).toBeUndefined();
    // Inherited properties are not config keys.
    expect(cfg.config("toString", "no")).toBe("no");
  });

  test("customMerge replaces the deep merge and gets a private copy of the defaults", () => {
    write(moduleDir, "m", "config.json", JSON.stringify({ o: { b: 2 } }));
    const defaultConfig = { o: { a: 1 } };
    const cfg = center()({
      pluginId: "m",
      defaultConfig,
      customMerge: (defaults, user) => Object.assign(defaults, user as object),
    });
    expect(cfg.config()).toEqual({ o: { b: 2 } });
    expect(defaultConfig).toEqual({ o: { a: 1 } });
  });

  test("a rewritten config.json is seen on the next call", () => {
    write(moduleDir, "live", "config.json", JSON.stringify({ v: 1 }));
    const cfg = center()({ pluginId: "live" });
    expect(cfg.config("v")).toBe(1);
    write(moduleDir, "live", "config.json", JSON.stringify({ v: 22 }));
    expect(cfg.config("v")).toBe(22);
  });

  test("a JSON syntax error throws with the file name", () => {
    write(moduleDir, "broken", "config.json", '{ "a": 1, }');
    expect(() => center()({ pluginId: "broken" }).config()).toThrow(/broken[\\/]config\.json/);
  });
});

describe("files", () => {
  test("resolve, hasFile and requireFile for js and json", () => {
    const js = write(moduleDir, "files", "custom.js", "module.exports = { kind: 'js', dir: __dirname };");
    write(moduleDir, "files", "data.json", JSON.stringify({ kind: "json" }));
    const cfg = center()({ pluginId: "files" });
    expect(cfg.resolve("custom.js")).toBe(js);
    expect(cfg.resolve("absent.txt")).toBe(join(moduleDir, "files", "absent.txt"));
    expect(cfg.hasFile("custom.js")).toBe(true);
    expect(cfg.hasFile("absent.js")).toBe(false);
    expect(cfg.requireFile("custom.js")).toEqual({ kind: "js", dir: join(moduleDir, "files") });
    expect(cfg.requireFile("data.json")).toEqual({ kind: "json" });
    expect(cfg.requireFile("absent.js")).toBeUndefined();
    expect(cfg.requireFile("absent.json")).toBeUndefined();
  });

  test("requireFile throws on a js syntax error and on an error thrown by the file", () => {
    write(moduleDir, "bad", "syntax.js", "module.exports = { ;");
    write(moduleDir, "bad", "throws.js", "throw new Error('boom from config');");
    const cfg = center()({ pluginId: "bad" });
    expect(() => cfg.requireFile("syntax.js")).toThrow(SyntaxError);
    expect(() => cfg.requireFile("throws.js")).toThrow("boom from config");
  });

  test("a directory is not a file", () => {
    mkdirSync(join(moduleDir, "dirs", "sub"), { recursive: true });
    const cfg = center()({ pluginId: "dirs" });
    expect(cfg.hasFile("sub")).toBe(false);
    expect(cfg.requireFile("sub")).toBeUndefined();
  });
});

describe("emulator override directory", () => {
  test("a file in the override directory replaces the module's file of the same name, file for file", () => {
    write(moduleDir, "uni-pay", "config.json", JSON.stringify({ from: "module", moduleOnly: true }));
    write(moduleDir, "uni-pay", "keep.json", JSON.stringify({ from: "module" }));
    write(moduleDir, "uni-pay", "config.js", "module.exports = { from: 'module-js' };");
    const cfg = center()({ pluginId: "uni-pay" });
    expect(cfg.config("from")).toBe("module");

    override = overrideDir;
    const overridden = write(overrideDir, "uni-pay", "config.json", JSON.stringify({ from: "override" }));
    write(overrideDir, "uni-pay", "config.js", "module.exports = { from: 'override-js' };");
    // Replaced, not merged: the module file's other keys are gone.
    expect(cfg.config()).toEqual({ from: "override" });
    expect(cfg.resolve("config.json")).toBe(overridden);
    expect(cfg.requireFile("config.js")).toEqual({ from: "override-js" });
    // Files without an override still come from the module.
    expect(cfg.requireFile("keep.json")).toEqual({ from: "module" });
    expect(cfg.resolve("keep.json")).toBe(join(moduleDir, "uni-pay", "keep.json"));
    expect(cfg.hasFile("only-in-override.json")).toBe(false);
    write(overrideDir, "uni-pay", "only-in-override.json", "{}");
    expect(cfg.hasFile("only-in-override.json")).toBe(true);
  });

  test("the override directory is read at call time", () => {
    write(moduleDir, "late", "config.json", JSON.stringify({ v: "module" }));
    write(overrideDir, "late", "config.json", JSON.stringify({ v: "override" }));
    const cfg = center()({ pluginId: "late" });
    expect(cfg.config("v")).toBe("module");
    override = overrideDir;
    expect(cfg.config("v")).toBe("override");
    override = undefined;
    expect(cfg.config("v")).toBe("module");
  });

  test("the default export follows UNICLOUD_DATA_DIR at call time", () => {
    const previous = process.env.UNICLOUD_DATA_DIR;
    try {
      delete process.env.UNICLOUD_DATA_DIR;
      expect(emulatorOverrideRoot()).toBeUndefined();
      const pluginId = `env-test-${Date.now()}`;
      const cfg = createConfigDefault({ pluginId });
      expect(cfg.config()).toEqual({});
      process.env.UNICLOUD_DATA_DIR = join(root, "data");
      write(overrideDir, pluginId, "config.json", JSON.stringify({ fromEnv: true }));
      expect(emulatorOverrideRoot()).toBe(overrideDir);
      expect(cfg.config()).toEqual({ fromEnv: true });
    } finally {
      if (previous === undefined) delete process.env.UNICLOUD_DATA_DIR;
      else process.env.UNICLOUD_DATA_DIR = previous;
    }
  });
});

describe("instances", () => {
  test("cached per pluginId; plugins are isolated from each other", () => {
    write(moduleDir, "one", "config.json", JSON.stringify({ name: "one" }));
    write(moduleDir, "two", "config.json", JSON.stringify({ name: "two" }));
    const create = center();
    const one = create({ pluginId: "one", defaultConfig: { first: true } });
    expect(create({ pluginId: "one", defaultConfig: { second: true } })).toBe(one);
    expect(one.config()).toEqual({ name: "one", first: true });
    const two = create({ pluginId: "two" });
    expect(two).not.toBe(one);
    expect(two.config()).toEqual({ name: "two" });
    expect(two.hasFile("config.json")).toBe(true);
    expect(two.resolve("config.json")).toBe(join(moduleDir, "two", "config.json"));
    expect(create({ pluginId: "one", cache: false })).not.toBe(one);
  });

  test("separate centers do not share instances", () => {
    expect(center()({ pluginId: "x" })).not.toBe(center()({ pluginId: "x" }));
  });

  test("pluginIds that would leave the config folder are refused", () => {
    const create = center();
    for (const pluginId of ["", "..", "../etc", "a/b", "a\\b", undefined]) {
      expect(() => create({ pluginId } as never)).toThrow(TypeError);
    }
  });

  test("root points an instance at another folder", () => {
    const other = join(root, "other");
    write(other, "rooted", "config.json", JSON.stringify({ rooted: true }));
    expect(center()({ pluginId: "rooted", root: other }).config()).toEqual({ rooted: true });
  });
});

describe("path helpers", () => {
  test("splitPath", () => {
    expect(splitPath("a.b[0].c")).toEqual(["a", "b", "0", "c"]);
    expect(splitPath("a[1][2]")).toEqual(["a", "1", "2"]);
    expect(splitPath("mp-weixin.appId")).toEqual(["mp-weixin", "appId"]);
  });

  test("lookupPath with a numeric path", () => {
    expect(lookupPath(["x", "y"], 1)).toBe("y");
    expect(lookupPath(["x"], 3, "none")).toBe("none");
  });
});
