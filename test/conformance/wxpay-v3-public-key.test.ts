import { wxpay } from "../../common/vk-uni-pay/src/providers/wxpay";
import { describeProvider } from "./describe-provider";
import { wxpayV3Platform } from "./platforms/wxpay-v3";

describeProvider(wxpay, wxpayV3Platform("public-key"));
