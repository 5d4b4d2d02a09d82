import type { IntegrationResponse } from "../../http-reply";
import type { AckContext, MerchantConfig, RawNotification } from "../../kernel/contract";
import { readWxpayVersion, type WxpayApiVersion } from "./merchant";
import { acknowledgeWxpayV2Notify } from "./v2/notify";
import { acknowledgeWxpayV3Notify } from "./v3/notify";

/**
 * Which API version a notification speaks, the one place that tells: its body when it shows (a v2 body is
 * XML, a v3 body JSON), else the merchant config's for the path's pay_type; with neither, v2, since a body
 * that is not JSON cannot have come from v3.
 */
export function notificationDialect(notification: RawNotification | undefined, config: MerchantConfig | undefined): WxpayApiVersion {
  const head = notification?.body?.subarray(0, 64).toString("utf8").trimStart().charAt(0);
  if (head === "<") return 2;
  if (head === "{") return 3;
  if (config) {
    try {
      return readWxpayVersion(config);
    } catch {
      // An invalid version is reported where the config is used; the reply falls back below.
    }
  }
  return 2;
}

/**
 * The reply WeChat Pay expects, in the dialect of the notification it answers: v2 with XML (always HTTP
 * 200), v3 with JSON whose status decides.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8
 */
export function acknowledgeWxpayNotify(accepted: boolean, context?: AckContext): IntegrationResponse {
  const version = notificationDialect(context?.notification, context?.config);
  switch (version) {
    case 2:
      return acknowledgeWxpayV2Notify(accepted);
    case 3:
      return acknowledgeWxpayV3Notify(accepted, context?.ourFault === true);
    default: {
      const exhaustive: never = version;
      return exhaustive;
    }
  }
}
