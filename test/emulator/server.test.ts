import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { postJson, startFixtureEmulator } from "../helpers/fixture-space";

describe("the emulator's HTTP server", () => {
  let env: Awaited<ReturnType<typeof startFixtureEmulator>>;
  beforeAll(async () => {
    env = await startFixtureEmulator();
  });
  afterAll(() => env.close());

  it("serves a function's URL化 path with the real event and an HTTP context", async () => {
    const reply = await postJson(`${env.url}/http/echo/a/b?x=1&y=2`, { hello: "world" }, { "user-agent": "jest-agent" });
    expect(reply.status).toBe(200);
    const { event, context } = reply.json;
    expect(event).toMatchObject({
      path: "/a/b",
      httpMethod: "POST",
      queryStringParameters: { x: "1", y: "2" },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
    });
    expect(event.headers["content-type"]).toBe("application/json");
    expect(context).toMatchObject({ SOURCE: "http", FUNCTION_NAME: "echo", CLIENTIP: "127.0.0.1", CLIENTUA: "jest-agent", SPACEINFO: { spaceId: "local" } });
    expect(context.PLATFORM).toBeUndefined();
    expect(typeof context.requestId).toBe("string");
  });

  it("gives the configured path itself as `/`", async () => {
    const reply = await postJson(`${env.url}/http/echo`, {});
    expect(reply.json.event.path).toBe("/");
  });

  it("does not serve a path that only shares a prefix", async () => {
    const reply = await postJson(`${env.url}/http/echoes`, {});
    expect(reply.status).toBe(404);
  });

  it("honours integration responses (status, headers, base64 bodies) on the wire", async () => {
    const xml = await fetch(`${env.url}/http/echo?composed=xml`);
    expect(xml.status).toBe(201);
    expect(xml.headers.get("content-type")).toBe("text/xml");
    expect(xml.headers.get("x-echo")).toBe("1");
    expect(await xml.text()).toBe("<xml>ok</xml>");
    const binary = await fetch(`${env.url}/http/echo?composed=binary`);
    expect([...new Uint8Array(await binary.arrayBuffer())]).toEqual([137, 80, 78, 71]);
    const text = await fetch(`${env.url}/http/echo?text=success`);
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await text.text()).toBe("success");
  });

  it("passes an integration-looking result of a client call through as plain data", async () => {
    const composed = { mpserverlessComposedResponse: true, statusCode: 201, body: "x" };
    const reply = await postJson(`${env.url}/__callFunction/echo`, { event: { composed } });
    expect(reply.status).toBe(200);
    expect(reply.json.result).toEqual(composed);
  });

  it("answers client calls at /__callFunction/<name> with { result, requestId } and client info in the context", async () => {
    const reply = await postJson(
      `${env.url}/__callFunction/echo`,
      {
        event: { url: "x", uniIdToken: "tok" },
        clientInfo: { PLATFORM: "mp-weixin", APPID: "__UNI__TEST", OS: "ios", DEVICEID: "d1", LOCALE: "zh-Hans", SOURCE: "server", CLIENTIP: "6.6.6.6" },
      },
      { "user-agent": "MicroMessenger" },
    );
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json).sort()).toEqual(["requestId", "result"]);
    const { context, event, clientInfos, cloudInfos } = reply.json.result;
    expect(event).toEqual({ url: "x", uniIdToken: "tok" });
    // A client may report its platform but never forge runtime fields.
    expect(context).toMatchObject({
      SOURCE: "client",
      PLATFORM: "mp-weixin",
      APPID: "__UNI__TEST",
      OS: "ios",
      DEVICEID: "d1",
      LOCALE: "zh-Hans",
      CLIENTIP: "127.0.0.1",
      CLIENTUA: "MicroMessenger",
      uniIdToken: "tok",
    });
    expect(context.requestId).toBe(reply.json.requestId);
    expect(clientInfos).toEqual([
      expect.objectContaining({ uniPlatform: "mp-weixin", appId: "__UNI__TEST", source: "client", requestId: reply.json.requestId }),
    ]);
    expect(cloudInfos).toEqual([
      { provider: "aliyun", spaceId: "local", functionName: "echo", functionType: "cloudfunction", requestId: reply.json.requestId },
    ]);
  });

  it("runs callFunction in process with SOURCE function and no client info", async () => {
    const reply = await postJson(`${env.url}/__callFunction/echo`, { event: { callOther: true }, clientInfo: { PLATFORM: "h5" } });
    const inner = reply.json.result.inner;
    expect(inner.result.context.SOURCE).toBe("function");
    expect(inner.result.context.PLATFORM).toBeUndefined();
    expect(inner.result.event).toEqual({ from: "echo" });
    expect(typeof inner.requestId).toBe("string");
  });

  it("links file: dependencies into the function's node_modules, as HBuilderX's local runner does", () => {
    const fn = env.emulator.functions().find((f) => f.name === "echo")!;
    const link = join(fn.dir, "node_modules/echo-common");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(join(link, "index.js"))).toBe(true);
  });

  it("refuses malformed client calls with a system error and never runs the function", async () => {
    const cases: Array<[string, string | object, number, string]> = [
      ["/__callFunction/echo", "{not json", 400, "InvalidBody.Format"],
      ["/__callFunction/echo", "[1,2]", 400, "InvalidBody.Format"],
      ["/__callFunction/echo", { event: "string" }, 400, "InvalidParams.Format"],
      ["/__callFunction/echo", { event: {}, clientInfo: [1] }, 400, "InvalidParams.Format"],
      ["/__callFunction/nope", { event: {} }, 404, "FUNCTION_NOT_FOUND"],
      ["/__callFunction/..%2Fecho", { event: {} }, 400, "InvalidParams.Format"],
    ];
    for (const [path, body, status, errCode] of cases) {
      const reply = await postJson(`${env.url}${path}`, body);
      expect({ path, status: reply.status, errCode: reply.json?.errCode }).toEqual({ path, status, errCode });
    }
    const get = await fetch(`${env.url}/__callFunction/echo`);
    expect(get.status).toBe(405);
  });

  it("refuses bodies over the size limit with 413", async () => {
    const big = "x".repeat(2 * 1024 * 1024 + 10);
    const reply = await postJson(`${env.url}/http/echo`, big, { "content-type": "text/plain" });
    expect(reply.status).toBe(413);
    expect(reply.json.errCode).toBe("RequestContentLength.Exceeded");
  });

  it("reports a failing function as a system error without leaking its message", async () => {
    const reply = await postJson(`${env.url}/__callFunction/echo`, { event: { throwError: true } });
    expect(reply.status).toBe(500);
    expect(reply.json.errCode).toBe("FunctionBizError");
    expect(reply.text).not.toContain("secret-looking");
  });

  it("serves mounted handlers before functions", async () => {
    env.emulator.mount("/__sandbox/test", (_req, res) => {
      res.end("mounted");
    });
    const response = await fetch(`${env.url}/__sandbox/test/anything`);
    expect(await response.text()).toBe("mounted");
  });
});

describe("timer triggers", () => {
  it("run the function with the uniCloud timer event and SOURCE timing", async () => {
    const env = await startFixtureEmulator();
    try {
      const run = await env.emulator.runTimer("echo");
      if (run.status !== "done") throw new Error(`timer run ${run.status}`);
      const reply = run.result as any;
      expect(reply.context.SOURCE).toBe("timing");
      expect(reply.event).toMatchObject({ TriggerName: "every-minute", Type: "Timer" });
      expect(Number.isNaN(Date.parse(reply.event.Time))).toBe(false);
    } finally {
      await env.close();
    }
  });
});
