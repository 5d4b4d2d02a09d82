import { resolve } from "node:path";

/** Every path the build reads or writes, relative to the repository root. */
export const ROOT = resolve(__dirname, "../..");
/** The deploy folder: only what vk-pay owns, so an HBuilderX upload never replaces a DCloud module. */
export const SPACE_DIR = resolve(ROOT, "uniCloud");
export const SPACE_FUNCTIONS = resolve(SPACE_DIR, "cloudfunctions");
export const SPACE_COMMON = resolve(SPACE_FUNCTIONS, "common");
/** The emulator's stand-ins of DCloud's modules (uni-id-common, uni-config-center, uni-id-users). */
export const STAND_IN_DIR = resolve(ROOT, "scripts/uni-cloud-mock/space");
export const STAND_IN_COMMON = resolve(STAND_IN_DIR, "cloudfunctions/common");
export const DIST_DIR = resolve(ROOT, "dist");
export const PLUGIN_DIR = resolve(DIST_DIR, "uni_modules/vk-uni-pay");
export const ROUTER_DIR = resolve(ROOT, "router");
export const HOOKS_DIR = resolve(ROUTER_DIR, "service/pay-notify");
/** Build metadata stays out of everything a user deploys. */
export const BUILD_STAMP = resolve(DIST_DIR, ".build-hash");
/** The uni-pay config template a user copies into their own uni-config-center. */
export const TEMPLATES_DIR = resolve(ROOT, "common/vk-uni-pay/templates");
export const UNI_PAY_TEMPLATE = resolve(TEMPLATES_DIR, "uni-config-center/uni-pay/config.js");
/** The emulator's uni-config-center carries the template as a user's would: the config of last resort. */
export const STAND_IN_UNI_PAY_CONFIG = resolve(STAND_IN_COMMON, "uni-config-center/uni-pay/config.js");

/** Modules a deployed bundle resolves at run time instead of carrying them. */
export const RUNTIME_MODULES = ["vk-uni-pay", "uni-config-center", "uni-id-common"];
