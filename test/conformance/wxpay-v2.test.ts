import { wxpay } from "../../common/vk-uni-pay/src/providers/wxpay";
import { describeProvider } from "./describe-provider";
import { wxpayV2Platform } from "./platforms/wxpay-v2";

describeProvider(wxpay, wxpayV2Platform());
