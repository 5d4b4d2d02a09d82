import { build, type Metafile, type Plugin } from "esbuild";
import { isDeepStrictEqual } from "node:util";
import { join, relative, resolve, sep } from "node:path";
import { BUILT_IN_PROVIDERS } from "../../common/vk-uni-pay/src/providers";
import { describeProvider, type ProviderDescriptor } from "../../common/vk-uni-pay/src/providers/registry";
import { COMMON, LAZY_LIBRARIES, lazyLibrariesPlugin } from "./bundles";
import { ROOT } from "./paths";

/**
 * The library's built-in providers ship as their own files, `providers/<folder>.js` beside `index.js`,
 * each required the first time one of its verbs runs (issue 19: compiling every provider's code was most
 * of a cold start, and a query answered from the database needs none of it). The core is not duplicated:
 * whatever a provider imports that the main bundle also holds (errors, database, money, the shared
 * readers) is handed to the provider file by the main bundle when it loads it, so there is one instance
 * of each class and cache. Plain CommonJS with relative requires, as HBuilderX uploads it.
 */

const SOURCE = resolve(ROOT, "common/vk-uni-pay/src");
const PROVIDERS_SOURCE = join(SOURCE, "providers");
const PROVIDERS_INDEX = join(PROVIDERS_SOURCE, "index.ts");
/** Modules a library bundle resolves at run time instead of carrying them. */
const LIBRARY_EXTERNALS = ["uni-config-center", "uni-id-common"];
const SHARED_NAMESPACE = "vk-uni-pay-shared";
const SLOT = "vk-uni-pay:shared-slot";
/** Where a provider file finds the shared modules: filled by the main bundle just before the provider's code runs. */
const SLOT_SOURCE = `let table;
module.exports = {
  fill(shared) { table = shared; },
  get(key) {
    if (!table || !(key in table)) throw new Error("vk-uni-pay: provider file loaded without the library's module " + key);
    return table[key];
  },
};`;

interface LazyProvider {
  folder: string;
  /** The export of `providers/<folder>/index.ts` that is the instance the registry serves. */
  exportName: string;
  descriptor: ProviderDescriptor;
}

interface Plan {
  providers: LazyProvider[];
  /** Absolute paths of the modules the providers take from the main bundle. */
  shared: Set<string>;
}

/** `core/errors.ts`: one key for a shared module on both sides, whatever the platform's separator. */
const keyOf = (file: string) => relative(SOURCE, file).split(sep).join("/");

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `wxpay-virtual` → `wxpayVirtual`: the name each provider folder's index.ts exports its instance under. */
const exportNameOf = (folder: string) => folder.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/**
 * The registry's own table, read from source (the build runs under tsx or jest's transform). Only static
 * imports: a build started from jest's global setup cannot require TypeScript by path.
 */
function builtInProviders(): LazyProvider[] {
  return Object.entries(BUILT_IN_PROVIDERS).map(([folder, provider]) => {
    const descriptor = describeProvider(provider);
    // The capabilities are written into the main bundle as JSON: anything JSON would change (a function, an undefined) must not be there.
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(descriptor.capabilities)), { ...descriptor.capabilities })) {
      throw new Error(`provider ${provider.name}: capabilities must be plain JSON data to be known before its file loads`);
    }
    return { folder, exportName: exportNameOf(folder), descriptor };
  });
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs)
    .filter((file) => file !== "<stdin>")
    .map((file) => resolve(ROOT, file));
}

/** A provider bundled alone, everything included: what it imports (and esbuild refuses a folder that lacks the export). */
async function providerInputs({ folder, exportName }: LazyProvider): Promise<string[]> {
  const result = await build({
    ...COMMON,
    stdin: { contents: `export { ${exportName} } from ${JSON.stringify(`./${folder}/index.ts`)};`, resolveDir: PROVIDERS_SOURCE, loader: "ts" },
    outfile: join(ROOT, "dist", ".analysis.js"),
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    external: [...LIBRARY_EXTERNALS, ...LAZY_LIBRARIES],
  });
  return inputsOf(result.metafile);
}

/**
 * The main bundle's replacement of providers/index.ts: each provider registered by its descriptor, its
 * file required on first use and handed the shared modules.
 */
function providerIndexPlugin(plan: Plan): Plugin {
  const shared = [...plan.shared].sort();
  const contents = [
    `import { registerLazyProvider } from "./registry";`,
    ...shared.map((file, index) => `import * as shared${index} from ${JSON.stringify(file)};`),
    `const shared = { ${shared.map((file, index) => `${JSON.stringify(keyOf(file))}: shared${index}`).join(", ")} };`,
    ...plan.providers.map(
      ({ folder, descriptor }) => `registerLazyProvider(${JSON.stringify(descriptor)}, () => require(${JSON.stringify(`./providers/${folder}.js`)})(shared));`,
    ),
    `export { findProvider, registeredProviders, registerProvider } from "./registry";`,
  ].join("\n");
  return {
    name: "lazy-provider-index",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: new RegExp(`^${escapeRegExp(PROVIDERS_INDEX)}$`) }, () => ({ contents, loader: "ts", resolveDir: PROVIDERS_SOURCE }));
      pluginBuild.onResolve({ filter: /^\.\/providers\/[a-z0-9-]+\.js$/ }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** In a provider's bundle: every shared module becomes a lookup in the table the main bundle hands over. */
function sharedModulesPlugin(shared: Set<string>): Plugin {
  const skip = Symbol("resolving");
  return {
    name: "shared-modules",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === skip || args.namespace !== "file") return undefined;
        const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: skip });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return shared.has(resolved.path) ? { path: keyOf(resolved.path), namespace: SHARED_NAMESPACE } : undefined;
      });
      pluginBuild.onResolve({ filter: new RegExp(`^${escapeRegExp(SLOT)}$`) }, () => ({ path: "slot", namespace: SLOT }));
      pluginBuild.onLoad({ filter: /.*/, namespace: SHARED_NAMESPACE }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(SLOT)}).get(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: SLOT }, () => ({ contents: SLOT_SOURCE, loader: "js" }));
    },
  };
}

async function buildMain(plan: Plan, outfile: string, write: boolean): Promise<Metafile> {
  const result = await build({
    ...COMMON,
    entryPoints: [join(SOURCE, "index.ts")],
    outfile,
    write,
    metafile: true,
    absWorkingDir: ROOT,
    external: LIBRARY_EXTERNALS,
    plugins: [providerIndexPlugin(plan), lazyLibrariesPlugin(".")],
  });
  return result.metafile;
}

/**
 * Which modules are shared: what a provider imports from outside its own folder, and anything else it
 * imports that the main bundle holds anyway (a module of another provider's folder pulls in its
 * neighbours), so that no module runs twice.
 */
async function planProviders(outfile: string): Promise<Plan> {
  const providers = builtInProviders();
  const inputs = new Map<string, string[]>();
  for (const provider of providers) inputs.set(provider.folder, await providerInputs(provider));
  const shared = new Set<string>();
  for (const [folder, files] of inputs) {
    for (const file of files) if (!file.startsWith(join(PROVIDERS_SOURCE, folder) + sep)) shared.add(file);
  }
  const inMain = new Set(inputsOf(await buildMain({ providers, shared }, outfile, false)));
  for (const files of inputs.values()) for (const file of files) if (inMain.has(file)) shared.add(file);
  return { providers, shared };
}

/** vk-uni-pay's `index.js` and its `providers/<folder>.js` files, into `libraryDir`. */
export async function bundleLibrary(libraryDir: string): Promise<void> {
  const outfile = join(libraryDir, "index.js");
  const plan = await planProviders(outfile);
  await buildMain(plan, outfile, true);
  for (const { folder, exportName } of plan.providers) {
    await build({
      ...COMMON,
      stdin: {
        contents: [
          `const slot = require(${JSON.stringify(SLOT)});`,
          `module.exports = function loadProvider(shared) {`,
          `  slot.fill(shared);`,
          `  return require(${JSON.stringify(`./${folder}/index.ts`)}).${exportName};`,
          `};`,
        ].join("\n"),
        resolveDir: PROVIDERS_SOURCE,
        sourcefile: `providers/${folder}.js`,
        loader: "js",
      },
      outfile: join(libraryDir, "providers", `${folder}.js`),
      external: LIBRARY_EXTERNALS,
      plugins: [sharedModulesPlugin(plan.shared), lazyLibrariesPlugin("..")],
    });
  }
}
