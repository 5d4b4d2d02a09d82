import { resolve } from "node:path";

/** Every path the build reads or writes, relative to the repository root. */
export const ROOT = resolve(__dirname, "../..");
export const SPACE_DIR = resolve(ROOT, "uniCloud");
export const SPACE_FUNCTIONS = resolve(SPACE_DIR, "cloudfunctions");
export const SPACE_COMMON = resolve(SPACE_FUNCTIONS, "common");
export const PLUGIN_DIR = resolve(ROOT, "dist/uni_modules/vk-uni-pay");
export const ROUTER_DIR = resolve(ROOT, "router");
export const HOOKS_DIR = resolve(ROUTER_DIR, "service/pay-notify");
export const BUILD_STAMP = resolve(SPACE_FUNCTIONS, "vk-pay/.build-hash");

/** Modules a deployed bundle resolves at run time instead of carrying them. */
export const RUNTIME_MODULES = ["vk-uni-pay", "uni-config-center", "uni-id-common"];
