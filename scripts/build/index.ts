import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { bundleClientSdk, bundleHooks, bundleLazyLibraries, bundleModule, bundleRouter } from "./bundles";
import { emitClientTypes } from "./client-types";
import {
  commonModuleManifest,
  functionManifest,
  localFunctionDependencies,
  pluginFunctionDependencies,
  pluginLibraryDependencies,
  pluginManifest,
} from "./manifests";
import {
  BUILD_STAMP,
  PLUGIN_DIR,
  SPACE_COMMON,
  SPACE_DIR,
  SPACE_FUNCTIONS,
  STAND_IN_COMMON,
  STAND_IN_UNI_PAY_CONFIG,
  TEMPLATES_DIR,
  UNI_PAY_TEMPLATE,
} from "./paths";
import { bundleLibrary } from "./lazy-providers";
import { pluginDescription, providerTable } from "./provider-table";
import { inputHash, isBuildCurrent } from "./stamp";

/** The committed sources of the plugin market's documents. */
const PLUGIN_SOURCES = join(__dirname, "plugin");

function writeJson(file: string, value: unknown): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function fresh(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The deploy folder `uniCloud/`: the function and the library, nothing of DCloud's. Its `file:`
 * dependencies on uni-config-center and uni-id-common name siblings a user's project already has;
 * the emulator supplies its stand-ins for them.
 */
async function buildLocalSpace(): Promise<void> {
  const vkPay = fresh(join(SPACE_FUNCTIONS, "vk-pay"));
  await bundleRouter(vkPay);
  await bundleHooks(vkPay);
  writeJson(join(vkPay, "package.json"), functionManifest(localFunctionDependencies));

  const library = fresh(join(SPACE_COMMON, "vk-uni-pay"));
  await bundleLibrary(library);
  await bundleLazyLibraries(library);
  writeJson(
    join(library, "package.json"),
    commonModuleManifest("vk-uni-pay", "vk-uni-pay payment library", { "uni-config-center": "file:../uni-config-center" }),
  );
}

/** The emulator's stand-ins of DCloud's modules, kept beside the emulator and never in a deploy folder. */
async function buildStandIns(): Promise<void> {
  const uniId = fresh(join(STAND_IN_COMMON, "uni-id-common"));
  await bundleModule("common/uni-id-common", join(uniId, "index.js"), ["uni-config-center"]);
  writeJson(
    join(uniId, "package.json"),
    commonModuleManifest("uni-id-common", "local stand-in of DCloud's uni-id-common", { "uni-config-center": "file:../uni-config-center" }),
  );

  // uni-config-center's folder also holds the committed uni-id config template, so only its code is replaced.
  const configCenter = join(STAND_IN_COMMON, "uni-config-center");
  await bundleModule("common/uni-config-center", join(configCenter, "index.js"), []);
  writeJson(join(configCenter, "package.json"), commonModuleManifest("uni-config-center", "local stand-in of DCloud's uni-config-center"));
  // As a user copies the template into their uni-config-center; the generated local config extends it.
  mkdirSync(join(STAND_IN_UNI_PAY_CONFIG, ".."), { recursive: true });
  cpSync(UNI_PAY_TEMPLATE, STAND_IN_UNI_PAY_CONFIG);
}

/**
 * The uni_modules plugin a user copies into a project. It carries no uni-config-center, uni-id-common
 * or uni-id-users definition: the project's own are used, so an upload never overwrites them.
 */
function buildPlugin(): void {
  const plugin = fresh(PLUGIN_DIR);
  const fn = join(plugin, "uniCloud/cloudfunctions/vk-pay");
  cpSync(join(SPACE_FUNCTIONS, "vk-pay"), fn, { recursive: true, filter: (source) => !source.split(sep).includes("node_modules") });
  writeJson(join(fn, "package.json"), functionManifest(pluginFunctionDependencies));

  const library = join(plugin, "uniCloud/cloudfunctions/common/vk-uni-pay");
  cpSync(join(SPACE_COMMON, "vk-uni-pay/index.js"), join(library, "index.js"));
  for (const folder of ["lib", "providers"]) cpSync(join(SPACE_COMMON, "vk-uni-pay", folder), join(library, folder), { recursive: true });
  writeJson(join(library, "package.json"), commonModuleManifest("vk-uni-pay", "vk-uni-pay payment library", pluginLibraryDependencies));

  const databaseOut = join(plugin, "uniCloud/database");
  mkdirSync(databaseOut, { recursive: true });
  for (const file of readdirSync(join(SPACE_DIR, "database"))) {
    cpSync(join(SPACE_DIR, "database", file), join(databaseOut, file));
  }

  cpSync(TEMPLATES_DIR, join(plugin, "templates"), { recursive: true });
  writeJson(join(plugin, "package.json"), pluginManifest());
  writePluginDocuments(
    plugin,
    readdirSync(join(fn, "service/pay-notify")).map((file) => `uniCloud/cloudfunctions/vk-pay/service/pay-notify/${file}`),
  );
}

/** The plugin market's readme.md and changelog.md, the readme's provider table from the registry. */
function writePluginDocuments(plugin: string, hookFiles: string[]): void {
  const readme = readFileSync(join(PLUGIN_SOURCES, "readme.md"), "utf8")
    .replace("{{description}}", pluginDescription())
    .replace("{{providers}}", providerTable())
    .replace("{{hooks}}", hookFiles.map((file) => `- \`${file}\``).join("\n"));
  writeFileSync(join(plugin, "readme.md"), readme);
  cpSync(join(PLUGIN_SOURCES, "changelog.md"), join(plugin, "changelog.md"));
}

export async function buildAll(): Promise<void> {
  await buildLocalSpace();
  await buildStandIns();
  buildPlugin();
  // The client SDK a uni-app page imports: `import { vkPay } from "@/uni_modules/vk-uni-pay/js_sdk/vk-uni-pay-client.js"`.
  await bundleClientSdk(join(PLUGIN_DIR, "js_sdk/vk-uni-pay-client.js"));
  emitClientTypes(join(PLUGIN_DIR, "js_sdk/vk-uni-pay-client.js"));
  mkdirSync(join(BUILD_STAMP, ".."), { recursive: true });
  writeFileSync(BUILD_STAMP, `${inputHash()}\n`);
}

/** Builds only when an input changed since the last build, so `npm start` and the tests stay quick. */
export async function ensureBuilt(): Promise<boolean> {
  if (isBuildCurrent()) return false;
  await buildAll();
  return true;
}

if (require.main === module) {
  const started = Date.now();
  buildAll().then(
    () => console.log(`built uniCloud/ and dist/uni_modules/vk-uni-pay/ in ${Date.now() - started} ms`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
