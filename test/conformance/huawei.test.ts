import { huawei } from "../../common/vk-uni-pay/src/providers/huawei";
import { describeProvider } from "./describe-provider";
import { huaweiPlatform } from "./platforms/huawei";

describeProvider(huawei, huaweiPlatform());
