import { alipay } from "../../common/vk-uni-pay/src/providers/alipay";
import { describeProvider } from "./describe-provider";
import { alipayPlatform } from "./platforms/alipay";

describeProvider(alipay, alipayPlatform({ cert: false }));
