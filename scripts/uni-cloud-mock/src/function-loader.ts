import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { FunctionContext } from "./context";

export interface TimerTrigger {
  name: string;
  type: string;
  config: string;
}

/** The keys of a function's `cloudfunction-config` the emulator honours. */
export interface CloudFunctionConfig {
  path?: string;
  timeout?: number;
  runtime?: string;
  triggers?: TimerTrigger[];
}

export type FunctionMain = (event: unknown, context: FunctionContext) => unknown;

export interface CloudFunction {
  name: string;
  dir: string;
  config: CloudFunctionConfig;
  /** Loads `index.js` on first use, as a cold start does. */
  load(): FunctionMain;
}

interface PackageJson {
  name?: string;
  main?: string;
  dependencies?: Record<string, string>;
  "cloudfunction-config"?: CloudFunctionConfig;
}

function readPackageJson(dir: string): PackageJson {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PackageJson;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (uniCloud requires strict JSON): ${(error as Error).message}`);
  }
}

/**
 * Does what HBuilderX's local runner does with `file:` dependencies: links each one into the
 * function's `node_modules`, recursively for common modules that depend on other modules. A module
 * the space lacks comes from `standInCommonDir` (the emulator's stand-ins of DCloud's modules), as
 * the cloud supplies the user's own uni-id-common and uni-config-center.
 */
export function linkFileDependencies(dir: string, standInCommonDir?: string, seen = new Set<string>()): void {
  if (seen.has(dir)) return;
  seen.add(dir);
  const pkg = readPackageJson(dir);
  for (const [name, spec] of Object.entries(pkg.dependencies ?? {})) {
    if (!spec.startsWith("file:")) continue;
    let target = resolve(dir, spec.slice("file:".length));
    const standIn = standInCommonDir ? join(standInCommonDir, name) : undefined;
    if (!existsSync(target) && standIn && existsSync(standIn)) target = standIn;
    if (!existsSync(target)) {
      throw new Error(`${relative(process.cwd(), dir)} depends on "${name}" at ${spec}, which does not exist`);
    }
    const link = join(dir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    const current = lstatSync(link, { throwIfNoEntry: false });
    if (current?.isSymbolicLink() && resolve(dirname(link), readlinkSync(link)) === target) {
      linkFileDependencies(target, standInCommonDir, seen);
      continue;
    }
    if (current) rmSync(link, { recursive: true, force: true });
    // A junction on Windows needs no administrator rights; elsewhere the type is ignored.
    try {
      symlinkSync(relative(dirname(link), target), link, "junction");
    } catch (error) {
      // Another process (a parallel test, a second emulator) linked the shared stand-ins first.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    linkFileDependencies(target, standInCommonDir, seen);
  }
}

/** Every cloud function in `<spaceDir>/cloudfunctions`, except the `common` modules folder. */
export function discoverFunctions(spaceDir: string, standInCommonDir?: string): CloudFunction[] {
  const root = join(spaceDir, "cloudfunctions");
  if (!existsSync(root)) return [];
  const functions: CloudFunction[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === "common") continue;
    const dir = join(root, entry.name);
    if (!existsSync(join(dir, "index.js"))) continue;
    functions.push(describeFunction(entry.name, dir, standInCommonDir));
  }
  return functions;
}

function describeFunction(name: string, dir: string, standInCommonDir: string | undefined): CloudFunction {
  const pkg = readPackageJson(dir);
  let main: FunctionMain | undefined;
  return {
    name,
    dir,
    config: pkg["cloudfunction-config"] ?? {},
    load() {
      if (main) return main;
      linkFileDependencies(dir, standInCommonDir);
      const exported = require(join(dir, "index.js")) as { main?: FunctionMain };
      if (typeof exported.main !== "function") throw new Error(`cloud function ${name} does not export main`);
      main = exported.main;
      return main;
    },
  };
}

/** The function whose URL化 `path` serves this request path, and the event's relative path. */
export function matchHttpPath(functions: CloudFunction[], requestPath: string): { fn: CloudFunction; path: string } | undefined {
  let best: { fn: CloudFunction; path: string } | undefined;
  for (const fn of functions) {
    const base = normalizeBasePath(fn.config.path);
    if (!base) continue;
    const matches = requestPath === base || requestPath.startsWith(base === "/" ? "/" : `${base}/`);
    if (!matches) continue;
    if (best && normalizeBasePath(best.fn.config.path)!.length >= base.length) continue;
    const rest = base === "/" ? requestPath : requestPath.slice(base.length);
    best = { fn, path: rest === "" ? "/" : rest };
  }
  return best;
}

function normalizeBasePath(path: string | undefined): string | undefined {
  if (!path || typeof path !== "string") return undefined;
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}
