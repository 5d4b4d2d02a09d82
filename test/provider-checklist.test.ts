import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { registeredProviders } from "../common/vk-uni-pay/src/providers";
import { SANDBOXES } from "../scripts/sandbox/registry";

/**
 * The README's "adding a provider" checklist, held for every registered provider: its folder, its sandbox
 * folder, the two registry lines, its conformance run, and nothing else. The last part is the one that
 * decays quietly, so the places that must stay provider-blind are read here for a provider's name.
 *
 * The in-memory `testpay` double (test/helpers/testpay.ts) stays out of both registries on purpose: the
 * README's provider table, the login routes and the plugin's description are generated from them, and a
 * fake payment method must never reach a deployed function. The checklist is shown by the real providers
 * instead, each of which was added exactly this way.
 */

const ROOT = join(__dirname, "..");
const SOURCE = join(ROOT, "common/vk-uni-pay/src");

/** The code that reaches providers only through the contract and the registries. */
const PROVIDER_BLIND = [
  join(SOURCE, "core"),
  join(SOURCE, "api"),
  join(SOURCE, "notify"),
  join(SOURCE, "kernel"),
  join(SOURCE, "index.ts"),
  join(ROOT, "router"),
  join(ROOT, "scripts/start.ts"),
  join(ROOT, "scripts/uni-cloud-mock/src"),
  join(ROOT, "test/helpers"),
];

function sourceFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return /\.(ts|js)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((entry) => (entry === "node_modules" ? [] : sourceFiles(join(path, entry))));
}

/** The code without its comments: a comment may cite a provider's page, code may not branch on its name. */
function codeOf(file: string): string {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const conformanceRuns = readdirSync(join(ROOT, "test/conformance"))
  .filter((file) => file.endsWith(".test.ts"))
  .map((file) => codeOf(join(ROOT, "test/conformance", file)));

describe.each(registeredProviders())("provider %s", (name) => {
  it("has its folder under src/providers", () => {
    expect(existsSync(join(SOURCE, "providers", name, "index.ts"))).toBe(true);
  });

  it("has its sandbox folder, registered in SANDBOXES", () => {
    expect(existsSync(join(ROOT, "scripts/sandbox", name, "definition.ts"))).toBe(true);
    expect(SANDBOXES.map((sandbox) => sandbox.name)).toContain(name);
  });

  it("has a conformance run", () => {
    const runs = conformanceRuns.filter((code) => code.includes(`/providers/${name}"`) && code.includes("describeProvider("));
    expect(runs.length).toBeGreaterThan(0);
  });

  it("is never named by the provider-blind code", () => {
    const quoted = new RegExp(`["'\`]${name.replace(/[-]/g, "\\-")}(["'\`_/.])`);
    const imported = new RegExp(`/providers/${name.replace(/[-]/g, "\\-")}(/|["'])`);
    const leaks = PROVIDER_BLIND.flatMap(sourceFiles)
      .filter((file) => {
        const code = codeOf(file);
        return quoted.test(code) || imported.test(code);
      })
      .map((file) => relative(ROOT, file));
    expect(leaks).toEqual([]);
  });
});

it("every sandbox plays a registered provider", () => {
  expect(SANDBOXES.map((sandbox) => sandbox.name).filter((name) => !registeredProviders().includes(name))).toEqual([]);
});
