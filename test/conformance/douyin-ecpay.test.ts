import { douyin } from "../../common/vk-uni-pay/src/providers/douyin";
import { describeProvider } from "./describe-provider";
import { douyinPlatform } from "./platforms/douyin";

describeProvider(douyin, douyinPlatform({ version: 1 }));
