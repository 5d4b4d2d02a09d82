import { wxpayVirtual } from "../../common/vk-uni-pay/src/providers/wxpay-virtual";
import { describeProvider } from "./describe-provider";
import { wxpayVirtualPlatform } from "./platforms/wxpay-virtual";

describeProvider(wxpayVirtual, wxpayVirtualPlatform());
