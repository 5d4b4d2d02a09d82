import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Plugin } from "esbuild";
import { HOOKS_DIR, ROUTER_DIR } from "./paths";

const SERVICE_DIR = join(ROUTER_DIR, "service");

function listTypeScript(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTypeScript(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Route name → source file, for every file under `router/service/` except the order-type hooks. */
export function discoverRoutes(): Map<string, string> {
  const routes = new Map<string, string>();
  for (const file of listTypeScript(SERVICE_DIR)) {
    if (file.startsWith(HOOKS_DIR)) continue;
    routes.set(relative(SERVICE_DIR, file).replace(/\\/g, "/").replace(/\.ts$/, ""), file);
  }
  return routes;
}

/** Order-type hook sources: each becomes its own editable `.js` file in the built function. */
export function discoverHooks(): string[] {
  try {
    return listTypeScript(HOOKS_DIR);
  } catch {
    return [];
  }
}

/**
 * Serves `vk-pay:routes`, the table the router dispatches on, generated from the file tree so that a
 * route exists exactly when its file does. Each route loads lazily, on its first call.
 */
export function routesPlugin(): Plugin {
  return {
    name: "vk-pay-routes",
    setup(build) {
      build.onResolve({ filter: /^vk-pay:routes$/ }, () => ({ path: "routes", namespace: "vk-pay-routes" }));
      build.onLoad({ filter: /.*/, namespace: "vk-pay-routes" }, () => {
        const entries = [...discoverRoutes()].map(([url, file]) => `  ${JSON.stringify(url)}: () => require(${JSON.stringify(file)}),`);
        return { contents: `export default {\n${entries.join("\n")}\n};\n`, loader: "js", resolveDir: ROUTER_DIR };
      });
    },
  };
}
