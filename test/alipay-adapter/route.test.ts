import * as vkPay from "../../common/vk-uni-pay/src";
import { loginRouteTable } from "../../router/login-routes";
import type { VkUniPay } from "../../router/vk-pay";

/** Login routes come from the providers' capabilities; each is public and thin, forwarding `code` (and `appid`). */
describe("login routes generated from the registered providers", () => {
  const table = loginRouteTable(vkPay as unknown as VkUniPay);
  const request = (url: string, data: Record<string, unknown>) => ({ url, data, role: [], context: {} });
  // The library's production dependencies look for the cloud runtime; nothing here may reach it.
  const untouchable = () => {
    throw new Error("the route must not reach the database");
  };
  beforeAll(() => {
    (globalThis as { uniCloud?: unknown }).uniCloud = { database: () => new Proxy({}, { get: untouchable }) };
  });
  afterAll(() => {
    delete (globalThis as { uniCloud?: unknown }).uniCloud;
  });

  it("serves vk-uni-pay's three login routes, all public", () => {
    expect(Object.keys(table).sort()).toEqual(["pay/code2SessionAlipay", "pay/code2SessionWeixin", "pay/code2SessionWeixinH5"]);
    for (const load of Object.values(table)) expect(load().access).toBe("public");
  });

  it.each([[{}], [{ code: "" }], [{ code: { $ne: "" } }]])("answers 1013 for %o without calling the provider", async (data) => {
    for (const [url, load] of Object.entries(table))
      expect(await load().main(request(url, data))).toMatchObject({ code: 1013, errCode: "vk-pay-code-missing" });
  });

  it("a login no registered provider offers is not available", async () => {
    expect(await vkPay.code2Session("code2SessionNowhere", { code: "c" })).toMatchObject({ code: 100, errCode: "vk-pay-login-unavailable" });
  });
});
