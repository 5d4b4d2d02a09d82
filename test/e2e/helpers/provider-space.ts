import type { RunningSandbox } from "../../../scripts/sandbox/registry";
import { startPayingSpace } from "../../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../../helpers/tokens";

/**
 * The paying space as a provider's end-to-end tests use it: a user `u1` and an admin, `vk-pay` called as a
 * client of a platform, the provider's sandbox driven through its control API (waiting until it has
 * delivered), and the order and notification log read back.
 */
export async function startProviderSpace<Sandbox extends RunningSandbox>(
  name: string,
  defaultPlatform: string,
  options: Parameters<typeof startPayingSpace>[0] & { userAgent?: string } = {},
) {
  const { userAgent, ...spaceOptions } = options;
  const env = await startPayingSpace(spaceOptions);
  const sandbox = env.sandboxes[name] as unknown as Sandbox;
  await env.db.collection("uni-id-users").add([
    { _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 },
    { _id: "boss", role: ["admin"], status: 0 },
  ]);
  const user = await mintToken(TEST_SECRET, { uid: "u1" });
  const admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  /** Any cloud function of the space (vk-pay, or a test's own server code), called from `platform`. */
  const callFunction = async (name: string, event: Record<string, unknown>, platform: string) => {
    const response = await fetch(`${env.url}/__callFunction/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(userAgent ? { "user-agent": userAgent } : {}) },
      body: JSON.stringify({ event, clientInfo: { PLATFORM: platform, APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const call = (event: Record<string, unknown>, platform: string) => callFunction("vk-pay", event, platform);
  const client = (url: string, data: Record<string, unknown>, platform = defaultPlatform) => call({ url, data, uniIdToken: user }, platform);
  const asAdmin = (url: string, data: Record<string, unknown>) => call({ url, data, uniIdToken: admin }, "web");
  const control = async (action: string, body: Record<string, unknown>) => {
    const result = await env.control(name, action, body);
    await sandbox.idle();
    return result;
  };
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const outcomes = async (outTradeNo: string) =>
    (
      (await env.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").get()).data as Array<Record<string, any>>
    ).map((entry) => entry.outcome as string);
  const balance = async () => ((await env.db.collection("uni-id-users").doc("u1").get()).data[0]?.balance ?? 0) as number;
  return { ...env, sandbox, user, admin, callFunction, call, client, asAdmin, control, order, outcomes, balance };
}
