import { registerProvider } from "./registry";
import { wxpay } from "./wxpay";
import { alipay } from "./alipay";
import { appleiap } from "./appleiap";
import { vkspay } from "./vkspay";
import { wxpayVirtual } from "./wxpay-virtual";
import { douyin } from "./douyin";
import { huawei } from "./huawei";

/**
 * The built-in providers, registered when the library loads (`src/index.ts` imports this module for its
 * effect). Adding a provider = its folder + one line here, in the order of the provider table.
 */
registerProvider(wxpay);
registerProvider(alipay);
registerProvider(appleiap);
registerProvider(vkspay);
registerProvider(wxpayVirtual);
registerProvider(douyin);
registerProvider(huawei);

export { findProvider, registeredProviders, registerProvider } from "./registry";
