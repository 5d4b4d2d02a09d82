import { registerProvider } from "./registry";
import { wxpay } from "./wxpay";
import { alipay } from "./alipay";
import { vkspay } from "./vkspay";
import { huawei } from "./huawei";
import { appleiap } from "./appleiap";

/**
 * The built-in providers, registered when the library loads (`src/index.ts` imports this module for its
 * effect). Adding a provider = its folder + one line here.
 */
registerProvider(wxpay);
registerProvider(alipay);
registerProvider(vkspay);
registerProvider(huawei);
registerProvider(appleiap);

export { findProvider, registeredProviders, registerProvider } from "./registry";
