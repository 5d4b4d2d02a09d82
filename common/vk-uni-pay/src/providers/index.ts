import { registerProvider } from "./registry";
import { wxpay } from "./wxpay";
import { alipay } from "./alipay";
import { douyin } from "./douyin";

/**
 * The built-in providers, registered when the library loads (`src/index.ts` imports this module for its
 * effect). Adding a provider = its folder + one line here.
 */
registerProvider(wxpay);
registerProvider(alipay);
registerProvider(douyin);

export { findProvider, registeredProviders, registerProvider } from "./registry";
