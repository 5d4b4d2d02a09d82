import type { startPayingSpace } from "../../helpers/paying-space";
import type { wxpayClients } from "../../e2e/helpers/wxpay";
import type { PlatformSession } from "../fake-platform";
import { emulatorSession } from "./emulator";

/**
 * The WeChat Pay sandbox's side of a session, the same for API v2 and v3: Native QR orders (`isPC`), and
 * refunds the sandbox settles on `refund-result`, each followed by its refund notification.
 */
export function wxpaySandboxSession(
  env: Awaited<ReturnType<typeof startPayingSpace>>,
  api: Awaited<ReturnType<typeof wxpayClients>>,
): Omit<PlatformSession, "forge"> {
  return {
    ...emulatorSession({
      provider: "wxpay",
      createExtra: { isPC: true },
      sandbox: "wxpay",
      db: env.db,
      dataDir: env.dataDir,
      client: (url, data) => api.client(url, data),
      asAdmin: api.asAdmin,
      control: (action, body) => env.control("wxpay", action, body),
      idle: () => env.wxpay.idle(),
      close: () => env.close(),
    }),
    async settleRefund(_outTradeNo, outRefundNo) {
      expect(await env.control("wxpay", "refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" })).toMatchObject({ ok: true });
      await env.wxpay.idle();
    },
  };
}
