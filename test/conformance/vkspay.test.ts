import { vkspay } from "../../common/vk-uni-pay/src/providers/vkspay";
import { describeProvider } from "./describe-provider";
import { vkspayPlatform } from "./platforms/vkspay";

describeProvider(vkspay, vkspayPlatform());
