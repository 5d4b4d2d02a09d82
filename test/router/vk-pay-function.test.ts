import { startBuiltSpace } from "../helpers/built-space";
import { postJson } from "../helpers/fixture-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/** The built vk-pay bundle, served by the emulator, called the ways a uni-app client and a server do. */
describe("vk-pay through the emulator", () => {
  let env: Awaited<ReturnType<typeof startBuiltSpace>>;
  let userToken: string;
  const callClient = (event: Record<string, unknown>, clientInfo: Record<string, unknown> = { PLATFORM: "mp-weixin" }) =>
    postJson(`${env.url}/__callFunction/vk-pay`, { event, clientInfo });
  const callHttp = (body: unknown, headers: Record<string, string> = {}) => postJson(`${env.url}/http/vk-pay`, body, headers);

  beforeAll(async () => {
    env = await startBuiltSpace();
    await env.db
      .collection("uni-id-users")
      .add({ _id: "u1", username: "alice", nickname: "Alice", role: [], status: 0, balance: 1234, vip_expire_date: 1767225600000, token: [] });
    userToken = await mintToken(TEST_SECRET, { uid: "u1" });
  });
  afterAll(() => env.close());

  it("serves user/getInfo to a client call with the token in uniIdToken", async () => {
    const reply = await callClient({ url: "user/getInfo", data: {}, uniIdToken: userToken });
    expect(reply.status).toBe(200);
    expect(reply.json.result).toEqual({
      code: 0,
      msg: "success",
      data: { uid: "u1", username: "alice", nickname: "Alice", role: [], balance: 1234, vip_expire_date: 1767225600000 },
    });
  });

  it("accepts action and $url as aliases of url", async () => {
    for (const key of ["action", "$url"]) {
      const reply = await callClient({ [key]: "user/getInfo", uniIdToken: userToken });
      expect(reply.json.result).toMatchObject({ code: 0, data: { uid: "u1" } });
    }
  });

  it("serves URL化 calls with the token in the uni-id-token header, HTTP 200 even for refusals", async () => {
    const ok = await callHttp({ url: "user/getInfo", data: { vk_platform: "h5" } }, { "uni-id-token": userToken });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ code: 0, data: { balance: 1234 } });
    const refused = await callHttp({ url: "user/getInfo" });
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({ code: 30202 });
  });

  it("never takes the user from data, even when no token is sent", async () => {
    const reply = await callHttp({ url: "user/getInfo", data: { uid: "u1", user_id: "u1" } });
    expect(reply.json).toMatchObject({ code: 30202 });
  });

  it("refuses bad urls and bodies with the documented codes", async () => {
    const cases: Array<[unknown, number]> = [
      [{ url: "../user/getInfo" }, -1],
      [{ url: "/user/getInfo" }, -1],
      [{ url: "pay-notify/recharge" }, -1],
      [{ url: "nothing/here" }, 404],
      [{ url: { $gt: "" } }, -1],
      [{ url: "user/getInfo", data: "x" }, -1],
      ["{broken", -1],
    ];
    for (const [body, code] of cases) {
      const reply = await callHttp(body, { "uni-id-token": userToken });
      expect({ body, status: reply.status, code: reply.json.code }).toEqual({ body, status: 200, code });
    }
  });

  it("refuses an expired token with 30203 and a token signed with another secret with 30202", async () => {
    const expired = await mintToken(TEST_SECRET, { uid: "u1", issuedAt: Math.floor(Date.now() / 1000) - 9000 });
    expect((await callClient({ url: "user/getInfo", uniIdToken: expired })).json.result).toMatchObject({ code: 30203 });
    const forged = await mintToken("not-the-configured-secret-000000000000", { uid: "u1" });
    expect((await callClient({ url: "user/getInfo", uniIdToken: forged })).json.result).toMatchObject({ code: 30202 });
  });

  it("accepts a base64-encoded body", async () => {
    const body = Buffer.from(JSON.stringify({ url: "user/getInfo" }));
    const response = await fetch(`${env.url}/http/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "uni-id-token": userToken },
      body,
    });
    expect(await response.json()).toMatchObject({ code: 0, data: { uid: "u1" } });
  });

  it("answers notifications for unknown providers, and unverifiable ones, with a clear refusal, never a fake success", async () => {
    for (const path of ["/vk-pay-notify/paypal_h5/ORDER1", "/transfer-notify/paypal"]) {
      const response = await fetch(`${env.url}/http/vk-pay${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: "vk-pay-no-such-provider" });
    }
    const unsigned = await fetch(`${env.url}/http/vk-pay/vk-pay-notify/wxpay_mp-weixin/ORDER1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(await unsigned.json()).toMatchObject({ code: "FAIL" });
    const { data: log } = await env.db.collection("vk-pay-notify-log").where({ pay_type: "wxpay_mp-weixin" }).get();
    expect(log).toEqual([expect.objectContaining({ outcome: "refused" })]);
    const bad = await fetch(`${env.url}/http/vk-pay/vk-pay-notify/%20`, { method: "POST", body: "x" });
    expect(bad.status).toBe(404);
  });

  it("answers unknown sub-paths of the function with 404 in the envelope", async () => {
    const reply = await callHttp({ url: "user/getInfo" });
    expect(reply.json.code).toBe(30202);
    const other = await postJson(`${env.url}/http/vk-pay/somewhere`, {});
    expect(other).toMatchObject({ status: 200, json: { code: 404 } });
  });

  it("runs its timer trigger", async () => {
    const run = await env.emulator.runTimer("vk-pay");
    expect(run).toMatchObject({ status: "done", event: { TriggerName: "vk-pay-reconcile", Type: "Timer" }, result: { code: 0 } });
  });
});
