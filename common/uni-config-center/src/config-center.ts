import { join, resolve as resolvePath } from "node:path";
import { deepMerge, clonePlain } from "./deep-merge";
import { fileExists, loadFile } from "./file-cache";
import { lookupPath } from "./path-lookup";

export interface CreateConfigOptions {
  pluginId: string;
  /** Merged underneath `config.json`. */
  defaultConfig?: Record<string, unknown>;
  /** Replaces the deep merge; receives a private copy of `defaultConfig`. */
  customMerge?: (defaultConfig: Record<string, unknown>, userConfig: unknown) => unknown;
  /** Folder holding the plugin folders instead of the module's own (DCloud's option of the same name). */
  root?: string;
  /** `false` builds a fresh instance instead of the one cached for this `pluginId`. */
  cache?: boolean;
}

/** `any` on purpose: callers read config values as the types their own config files hold, as with DCloud's module. */
export interface PluginConfig {
  readonly pluginId: string;
  /** The whole merged config, or the value at `path` (`a.b[0]`), `fallback` when absent. */
  config(path?: string | number, fallback?: unknown): any;
  /** Absolute path of `file` in the plugin folder, the emulator's override when one exists. */
  resolve(file: string): string;
  hasFile(file: string): boolean;
  /** `require`s a js/json file; undefined when absent, throws when the file itself is broken. */
  requireFile(file: string): any;
}

export type CreateConfig = (options: CreateConfigOptions) => PluginConfig;

export interface ConfigCenterOptions {
  /** Folder of the deployed module: plugin folders live in `<moduleDir>/<pluginId>/`. */
  moduleDir: string;
  /**
   * Folder whose `<pluginId>/<file>` replaces the module's file of the same name. A function, called on
   * every lookup, because the emulator sets `UNICLOUD_DATA_DIR` after this module may have loaded.
   */
  overrideRoot?: () => string | undefined;
}

/** Rejects ids that would escape the config folder (`../`, absolute paths). */
function assertPluginId(pluginId: unknown): asserts pluginId is string {
  if (typeof pluginId !== "string" || !pluginId || /[\\/]|^\.\.?$/.test(pluginId)) {
    throw new TypeError(`uni-config-center: invalid pluginId ${JSON.stringify(pluginId)}`);
  }
}

/**
 * Builds the module's factory over a given folder, so tests can point it at a temporary one. Instances
 * are cached per `pluginId` as DCloud's module does: the first caller's `defaultConfig` wins.
 */
export function createConfigCenter(options: ConfigCenterOptions): CreateConfig {
  const instances = new Map<string, PluginConfig>();

  return function createConfig(pluginOptions: CreateConfigOptions): PluginConfig {
    assertPluginId(pluginOptions?.pluginId);
    const useCache = pluginOptions.cache !== false;
    const cached = useCache ? instances.get(pluginOptions.pluginId) : undefined;
    if (cached) return cached;
    const instance = createPluginConfig(pluginOptions, options);
    if (useCache) instances.set(pluginOptions.pluginId, instance);
    return instance;
  };
}

function createPluginConfig(pluginOptions: CreateConfigOptions, center: ConfigCenterOptions): PluginConfig {
  const { pluginId, customMerge } = pluginOptions;
  const defaultConfig = pluginOptions.defaultConfig ?? {};
  const pluginDir = resolvePath(pluginOptions.root ?? center.moduleDir, pluginId);
  let merged: { source: unknown; value: unknown } | undefined;

  function overridePath(file: string): string | undefined {
    // An explicit root is the caller's own folder: the emulator's overrides apply to the module's folder only.
    const root = pluginOptions.root ? undefined : center.overrideRoot?.();
    if (!root) return undefined;
    const candidate = resolvePath(root, pluginId, file);
    return fileExists(candidate) ? candidate : undefined;
  }

  function resolve(file: string): string {
    return overridePath(file) ?? resolvePath(pluginDir, file);
  }

  function requireFile(file: string): unknown {
    return loadFile(resolve(file));
  }

  function config(path?: string | number, fallback?: unknown): unknown {
    const userConfig = requireFile("config.json");
    // loadFile returns the same object while the file is unchanged, so the merge is redone only on change.
    if (!merged || merged.source !== userConfig) {
      const value = customMerge ? customMerge(clonePlain(defaultConfig), clonePlain(userConfig)) : deepMerge(defaultConfig, userConfig ?? {});
      merged = { source: userConfig, value };
    }
    if (path === undefined || path === null || path === "") return merged.value;
    return lookupPath(merged.value, path, fallback);
  }

  return {
    pluginId,
    config,
    resolve,
    hasFile: (file) => fileExists(resolve(file)),
    requireFile,
  };
}

/** Where the emulator keeps its overrides: `$UNICLOUD_DATA_DIR/uni-config-center`, read at call time. */
export function emulatorOverrideRoot(): string | undefined {
  const dataDir = process.env.UNICLOUD_DATA_DIR;
  return dataDir ? join(resolvePath(dataDir), "uni-config-center") : undefined;
}
