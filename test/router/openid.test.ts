import { postJson } from "../helpers/fixture-space";
import { startPayingSpace } from "../helpers/paying-space";

describe("openid helpers through vk-pay and the WeChat sandbox", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  const call = async (url: string, data: Record<string, unknown>) => (await postJson(`${env.url}/http/vk-pay`, { url, data })).json;

  beforeAll(async () => {
    env = await startPayingSpace();
  });
  afterAll(() => env.close());

  it("turns a mini-program code into the openid, keeping the session key on the server", async () => {
    const { code } = await env.control("wxpay", "issue-code", { openid: "o-mini-1", unionid: "u-1" });
    const reply = await call("pay/code2SessionWeixin", { code });
    expect(reply).toEqual({ code: 0, msg: "success", data: { openid: "o-mini-1", unionid: "u-1" } });
    expect(JSON.stringify(reply)).not.toMatch(/session_key|sessionKey/);
    const { data: sessions } = await env.db.collection("vk-pay-wx-sessions").where({ openid: "o-mini-1" }).get();
    expect(sessions).toEqual([expect.objectContaining({ appid: "wx0000000000000001", session_key: expect.any(String) })]);
  });

  it("refuses a code used twice, an unknown code, and a missing code", async () => {
    const { code } = await env.control("wxpay", "issue-code", { openid: "o-mini-2" });
    expect(await call("pay/code2SessionWeixin", { code })).toMatchObject({ code: 0 });
    expect(await call("pay/code2SessionWeixin", { code })).toMatchObject({ code: 3001, errCode: "vk-pay-provider-rejected" });
    expect(await call("pay/code2SessionWeixin", { code: "never-issued" })).toMatchObject({ code: 3001 });
    expect(await call("pay/code2SessionWeixin", {})).toMatchObject({ code: 1013 });
    expect(await call("pay/code2SessionWeixin", { code: { $ne: "" } })).toMatchObject({ code: 1013 });
  });

  it("turns an official-account OAuth code into the openid without handing out tokens", async () => {
    const { code } = await env.control("wxpay", "issue-code", { openid: "o-h5-1" });
    const reply = await call("pay/code2SessionWeixinH5", { code });
    expect(reply).toEqual({ code: 0, msg: "success", data: { openid: "o-h5-1" } });
  });
});
