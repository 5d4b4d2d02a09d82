import { build, type BuildOptions, type Plugin } from "esbuild";
import { basename, join, resolve } from "node:path";
import { ROOT, RUNTIME_MODULES, ROUTER_DIR } from "./paths";
import { discoverHooks, routesPlugin } from "./routes-plugin";

/** Every bundle targets the cloud's Node 18 as CommonJS, the only module format uniCloud loads. */
export const COMMON: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node18",
  format: "cjs",
  logLevel: "warning",
  legalComments: "none",
  charset: "utf8",
  // Parsing is most of a cold start and each bundle must stay under 400 KB, so everything is minified.
  // keepNames sets each function's `name`, which V8 prints in a stack trace: the cloud's log still names
  // the source's functions.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
};

export async function bundleRouter(outDir: string): Promise<void> {
  await build({
    ...COMMON,
    entryPoints: [join(ROUTER_DIR, "index.ts")],
    outfile: join(outDir, "index.js"),
    external: RUNTIME_MODULES,
    plugins: [routesPlugin()],
  });
}

/** Hooks stay separate files so a user can edit them after installing the plugin. */
export async function bundleHooks(outDir: string): Promise<string[]> {
  const hooks = discoverHooks();
  for (const file of hooks) {
    await build({
      ...COMMON,
      // Hooks are the user's to edit after installing: readable, not minified.
      minifyWhitespace: false,
      minifySyntax: false,
      minifyIdentifiers: false,
      keepNames: false,
      entryPoints: [file],
      outfile: join(outDir, "service/pay-notify", basename(file).replace(/\.ts$/, ".js")),
      external: RUNTIME_MODULES,
    });
  }
  return hooks;
}

export async function bundleModule(packageDir: string, outFile: string, external: string[], plugins: Plugin[] = []): Promise<void> {
  await build({
    ...COMMON,
    entryPoints: [resolve(ROOT, packageDir, "src/index.ts")],
    outfile: outFile,
    external,
    plugins,
  });
}

/**
 * Libraries only some calls need (the QR-code renderer, WeChat v2's XML parser, Apple's JWT signer) ship as their own file
 * beside the bundle and are required on first use, so a cold start neither parses nor runs them.
 */
export const LAZY_LIBRARIES = ["qrcode", "fast-xml-parser", "jose"];

/** `folder` is where `lib/` sits relative to the output file: `.` for the library's index.js, `..` for its providers/ files. */
export function lazyLibrariesPlugin(folder = "."): Plugin {
  const pattern = new RegExp(`^(${LAZY_LIBRARIES.join("|")})$`);
  return {
    name: "lazy-libraries",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: pattern }, (args) => ({ path: `${folder}/lib/${args.path}.js`, external: true }));
    },
  };
}

export async function bundleLazyLibraries(outDir: string): Promise<void> {
  for (const name of LAZY_LIBRARIES) {
    await build({
      ...COMMON,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: ROOT, loader: "js" },
      outfile: join(outDir, "lib", `${name}.js`),
    });
  }
}

/**
 * The uni-app client SDK as one ES module (uni-app's Vue 2 and Vue 3 builds both import ES modules),
 * for the mini-program runtimes' JavaScript: ES2017, no Node built-ins, no dependencies.
 */
export async function bundleClientSdk(outFile: string): Promise<void> {
  await build({
    entryPoints: [resolve(ROOT, "common/vk-uni-pay-client/src/index.ts")],
    outfile: outFile,
    bundle: true,
    platform: "neutral",
    format: "esm",
    target: "es2017",
    logLevel: "warning",
    legalComments: "none",
    charset: "utf8",
  });
}
