import { createTestpay } from "../helpers/testpay";
import { describeProvider } from "./describe-provider";
import { testpayPlatform } from "./platforms/testpay";

const testpay = createTestpay();
describeProvider(testpay.provider, testpayPlatform(testpay));
