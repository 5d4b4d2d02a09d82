import { existsSync } from "node:fs";
import { join } from "node:path";
import type { HookModule } from "vk-uni-pay";

const TYPE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An order type's hooks: the file `service/pay-notify/<type>.js` beside this function's bundle, loaded
 * at run time so a developer edits hooks in place. Typed hook objects and vk-uni-pay's legacy
 * `module.exports = async (obj) => boolean` files are both accepted.
 */
export function resolveOrderType(type: string): HookModule | undefined {
  if (typeof type !== "string" || !TYPE_NAME.test(type)) return undefined;
  const file = join(__dirname, "service", "pay-notify", `${type}.js`);
  if (!existsSync(file)) return undefined;
  const loaded = require(file) as unknown;
  const hooks = (loaded as { default?: unknown })?.default ?? loaded;
  if (typeof hooks === "function") return hooks as HookModule;
  if (hooks && typeof hooks === "object") return hooks as HookModule;
  return undefined;
}
