import { access, main } from "../../router/service/pay/code2SessionAlipay";

/** The public route is thin: it forwards `code` (and `appid`) and returns the library's envelope. */
describe("route pay/code2SessionAlipay", () => {
  const request = (data: Record<string, unknown>) => ({ url: "pay/code2SessionAlipay", data, role: [], context: {} });
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

  it("is public, like the WeChat openid routes", () => {
    expect(access).toBe("public");
  });

  it.each([[{}], [{ code: "" }], [{ code: { $ne: "" } }]])("answers 1013 for %o without calling Alipay", async (data) => {
    expect(await main(request(data))).toMatchObject({ code: 1013, errCode: "vk-pay-code-missing" });
  });
});
