import { request } from "node:http";
import { startFixtureEmulator } from "../helpers/fixture-space";

/** Issue 14 item 6: a uni-app H5 dev server on another port may call the emulator's client endpoints. */
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch may not let a test set Origin as a browser does. */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const CALL = JSON.stringify({ event: { hello: "world" }, clientInfo: { PLATFORM: "h5" } });
const preflight = (url: string, origin: string) =>
  send(url, "OPTIONS", { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,uni-id-token" });

describe("CORS on the client endpoints, default policy (pages on this machine only)", () => {
  let env: Awaited<ReturnType<typeof startFixtureEmulator>>;
  beforeAll(async () => {
    env = await startFixtureEmulator({ allowedOrigins: undefined });
  });
  afterAll(() => env.close());

  it("answers a preflight from a localhost dev server with the methods and headers it asked for", async () => {
    const reply = await preflight(`${env.url}/__callFunction/echo`, "http://localhost:5173");
    expect(reply.status).toBe(204);
    expect(reply.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    expect(reply.headers["access-control-allow-methods"]).toContain("POST");
    expect(reply.headers["access-control-allow-headers"]).toBe("content-type,uni-id-token");
    expect(reply.headers["access-control-allow-credentials"]).toBe("true");
  });

  it("echoes an allowed origin on the call itself, never *", async () => {
    for (const origin of ["http://127.0.0.1:8080", "http://[::1]:3000"]) {
      const reply = await send(`${env.url}/__callFunction/echo`, "POST", { origin, "content-type": "application/json" }, CALL);
      expect(reply.status).toBe(200);
      expect(reply.headers["access-control-allow-origin"]).toBe(origin);
      expect(reply.headers.vary).toContain("Origin");
    }
    const http = await send(`${env.url}/http/echo`, "POST", { origin: "http://localhost:5173" }, "{}");
    expect(http.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
  });

  it("refuses another machine's origin: no CORS header, and the preflight names the setting", async () => {
    const reply = await send(`${env.url}/__callFunction/echo`, "POST", { origin: "http://192.168.1.5:5173", "content-type": "application/json" }, CALL);
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    const refused = await preflight(`${env.url}/__callFunction/echo`, "https://evil.example");
    expect(refused.status).toBe(403);
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    expect(refused.body).toContain("UNICLOUD_ALLOWED_ORIGINS");
    // A look-alike of localhost is not localhost.
    const lookAlike = await preflight(`${env.url}/__callFunction/echo`, "http://localhost.evil.example");
    expect(lookAlike.status).toBe(403);
  });

  it("sends nothing for calls without an Origin (servers, the notification senders)", async () => {
    const reply = await send(`${env.url}/__callFunction/echo`, "POST", { "content-type": "application/json" }, CALL);
    expect(reply.status).toBe(200);
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("CORS with UNICLOUD_ALLOWED_ORIGINS", () => {
  it("allows exactly the listed origins, and the emulator's own pages", async () => {
    const env = await startFixtureEmulator({ allowedOrigins: "http://192.168.1.5:5173, https://h5.example.com/" });
    try {
      expect((await preflight(`${env.url}/__callFunction/echo`, "http://192.168.1.5:5173")).headers["access-control-allow-origin"]).toBe(
        "http://192.168.1.5:5173",
      );
      expect((await preflight(`${env.url}/__callFunction/echo`, "https://h5.example.com")).status).toBe(204);
      expect((await preflight(`${env.url}/__callFunction/echo`, "http://localhost:5173")).status).toBe(403);
      expect((await preflight(`${env.url}/__callFunction/echo`, env.url)).status).toBe(204);
    } finally {
      await env.close();
    }
  });

  it("* allows every origin but without credentials", async () => {
    const env = await startFixtureEmulator({ allowedOrigins: "*" });
    try {
      const reply = await preflight(`${env.url}/__callFunction/echo`, "https://anywhere.example");
      expect(reply.status).toBe(204);
      expect(reply.headers["access-control-allow-origin"]).toBe("*");
      expect(reply.headers["access-control-allow-credentials"]).toBeUndefined();
    } finally {
      await env.close();
    }
  });
});
