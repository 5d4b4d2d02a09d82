import { appleiap } from "../../common/vk-uni-pay/src/providers/appleiap";
import { describeProvider } from "./describe-provider";
import { appleiapPlatform } from "./platforms/appleiap";

describeProvider(appleiap, appleiapPlatform());
