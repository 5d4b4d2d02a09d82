import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { DEFAULT_MAX_RESPONSE_SIZE, HttpClientError, request } from "../scripts/uni-cloud-mock/src/httpclient";

// A throwaway self-signed P-256 certificate for 127.0.0.1 (valid until 2126), used as the server's certificate,
// as the trusted CA and as a client certificate. It protects nothing.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQNvm1sJ3zbhPu+fc
51owBjh6puWyCHfOliP/AwCXptChRANCAASMqGxfT5IKh8eoCTnyoGXYAoIJyQut
Q9fLRQCLXUezOFKFJ9209hY/51XIoOBAtbD6leinppUHW/NtlEER+djb
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBqjCCAVCgAwIBAgIUYgJlbDuZCHikNh5JrRiGHLGvstYwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWdmstcGF5IGh0dHBjbGllbnQgdGVzdDAgFw0yNjExMjUxODEw
MjRaGA8yMTI2MTEwMTE4MTAyNFowITEfMB0GA1UEAwwWdmstcGF5IGh0dHBjbGll
bnQgdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIyobF9PkgqHx6gJOfKg
ZdgCggnJC61D18tFAItdR7M4UoUn3bT2Fj/nVcig4EC1sPqV6KemlQdb822UQRH5
2NujZDBiMB0GA1UdDgQWBBRpqlClVpxMAP4nlAO7pQCLTmBgbjAfBgNVHSMEGDAW
gBRpqlClVpxMAP4nlAO7pQCLTmBgbjAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQI
MAaHBH8AAAEwCgYIKoZIzj0EAwIDSAAwRQIgRMusr/SSKLPFh3MtxzC1FAN2W/Kr
UP6Z01tzr+Qq678CIQCPZFubKiFBoIGdw0ieb+M5G7Bglgyo2zyjS1RbVhxoXw==
-----END CERTIFICATE-----
`;

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const reply: Echo = { method: req.method ?? "", url: req.url ?? "", headers: req.headers as Record<string, string>, body };
  res.writeHead(200, { "content-type": "application/json", "x-reply": "yes" });
  res.end(JSON.stringify(reply));
}

const pending = new Set<NodeJS.Timeout>();
function later(ms: number, fn: () => void): void {
  const handle = setTimeout(() => {
    pending.delete(handle);
    fn();
  }, ms);
  pending.add(handle);
}

let otherOrigin = "";

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  const status = /^\/status\/(\d+)$/.exec(path);
  const hops = /^\/redirect\/(\d+)$/.exec(path);
  if (path === "/echo") return echo(req, res);
  if (status) {
    res.writeHead(Number(status[1]), { "content-type": "application/json" });
    res.end(JSON.stringify({ code: Number(status[1]) }));
  } else if (hops) {
    const left = Number(hops[1]);
    res.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : "/echo?done=1" });
    res.end();
  } else if (path === "/see-other") {
    res.writeHead(303, { location: "/echo" });
    res.end();
  } else if (path === "/temporary") {
    res.writeHead(307, { location: "/echo" });
    res.end();
  } else if (path === "/no-location") {
    res.writeHead(302);
    res.end();
  } else if (path === "/loop") {
    res.writeHead(302, { location: "/loop" });
    res.end();
  } else if (path === "/elsewhere") {
    res.writeHead(302, { location: `${otherOrigin}/echo` });
    res.end();
  } else if (path === "/bad-json") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("<html>gateway error</html>");
  } else if (path === "/empty") {
    res.writeHead(204);
    res.end();
  } else if (path === "/gbk") {
    res.writeHead(200, { "content-type": "text/plain; charset=GBK" });
    res.end(Buffer.from([0xd6, 0xd0, 0xce, 0xc4])); // "中文" in GBK
  } else if (path === "/slow-headers") {
    later(1500, () => res.end("late"));
  } else if (path === "/slow-body") {
    res.writeHead(200);
    res.write("part");
    later(1500, () => res.end("rest"));
  } else if (path === "/big") {
    const size = Number(url.searchParams.get("size"));
    const body = Buffer.alloc(size, 0x61);
    if (url.searchParams.get("chunked")) {
      res.writeHead(200);
      for (let at = 0; at < size; at += 65536) res.write(body.subarray(at, at + 65536));
      res.end();
    } else {
      res.writeHead(200, { "content-length": size });
      res.end(body);
    }
  } else {
    res.writeHead(404);
    res.end("not found");
  }
}

function listen(server: http.Server | https.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve(`${server instanceof https.Server ? "https" : "http"}://127.0.0.1:${port}`);
    });
  });
}

async function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function rejection(promise: Promise<unknown>): Promise<HttpClientError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpClientError);
    return error as HttpClientError;
  }
  throw new Error("expected the request to fail");
}

const server = http.createServer((req, res) => void route(req, res));
const other = http.createServer((req, res) => void echo(req, res));
const secure = https.createServer({ key: TEST_KEY, cert: TEST_CERT, ca: TEST_CERT, requestCert: true, rejectUnauthorized: false }, (req, res) => {
  const socket = req.socket as TLSSocket;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ clientAuthorized: socket.authorized, clientCN: socket.getPeerCertificate().subject?.CN ?? null }));
});
let base = "";
let secureBase = "";

beforeAll(async () => {
  base = await listen(server);
  otherOrigin = await listen(other);
  secureBase = await listen(secure);
});

afterAll(async () => {
  for (const handle of pending) clearTimeout(handle);
  await Promise.all([close(server), close(other), close(secure)]);
});

describe("request encoding", () => {
  test("GET by default, data appended to the existing query string", async () => {
    const res = await request<Echo>(`${base}/echo?x=1`, { data: { y: 2, z: "a b" }, dataType: "json" });
    expect(res.data.method).toBe("GET");
    expect(res.data.url).toBe("/echo?x=1&y=2&z=a%20b");
    expect(res.data.body).toBe("");
  });

  test("HEAD sends data as query string too, and an empty JSON body is null", async () => {
    const res = await request(`${base}/echo`, { method: "head", data: { q: 1 }, dataType: "json" });
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
  });

  test("POST data is form-encoded by default", async () => {
    const res = await request<Echo>(`${base}/echo`, { method: "POST", data: { a: 1, b: "x&y" }, dataType: "json" });
    expect(res.data.body).toBe("a=1&b=x%26y");
    expect(res.data.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(res.data.headers["content-length"]).toBe(String(Buffer.byteLength("a=1&b=x%26y")));
  });

  test('contentType "json" JSON-encodes data and sets the content type', async () => {
    const res = await request<Echo>(`${base}/echo`, { method: "POST", data: { a: { b: [1, "二"] } }, contentType: "json", dataType: "json" });
    expect(res.data.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.data.body)).toEqual({ a: { b: [1, "二"] } });
  });

  test("an explicit JSON content-type header also JSON-encodes data", async () => {
    const res = await request<Echo>(`${base}/echo`, {
      method: "PUT",
      data: { ok: true },
      headers: { "Content-Type": "application/json; charset=utf-8" },
      dataType: "json",
    });
    expect(res.data.method).toBe("PUT");
    expect(res.data.body).toBe('{"ok":true}');
  });

  test("dataAsQueryString puts a POST's data in the URL", async () => {
    const res = await request<Echo>(`${base}/echo`, { method: "POST", data: { k: "v" }, dataAsQueryString: true, dataType: "json" });
    expect(res.data.url).toBe("/echo?k=v");
    expect(res.data.body).toBe("");
  });

  test("content is the body and overrides data; contentType becomes the header", async () => {
    const res = await request<Echo>(`${base}/echo`, {
      method: "POST",
      data: { ignored: 1 },
      content: "<xml><a>1</a></xml>",
      contentType: "text/xml",
      dataType: "json",
    });
    expect(res.data.body).toBe("<xml><a>1</a></xml>");
    expect(res.data.headers["content-type"]).toBe("text/xml");
    expect(res.data.url).toBe("/echo");
  });

  test("Buffer content is sent byte for byte", async () => {
    const res = await request<Echo>(`${base}/echo`, { method: "POST", content: Buffer.from("raw-bytes"), dataType: "json" });
    expect(res.data.body).toBe("raw-bytes");
    expect(res.data.headers["content-length"]).toBe("9");
  });

  test("headers are sent; defaults (User-Agent, Accept for JSON) do not override them", async () => {
    const res = await request<Echo>(`${base}/echo`, { headers: { "X-Custom": "abc", "user-agent": "mine" }, dataType: "json" });
    expect(res.data.headers["x-custom"]).toBe("abc");
    expect(res.data.headers["user-agent"]).toBe("mine");
    expect(res.data.headers.accept).toBe("application/json");
    const plain = await request<Echo>(`${base}/echo`, { dataType: "json" });
    expect(plain.data.headers["user-agent"]).toMatch(/^node-urllib\//);
  });

  test("auth becomes a Basic Authorization header", async () => {
    const res = await request<Echo>(`${base}/echo`, { auth: "user:pa:ss", dataType: "json" });
    expect(res.data.headers.authorization).toBe(`Basic ${Buffer.from("user:pa:ss").toString("base64")}`);
  });

  test("invalid URLs and protocols reject with a RequestError", async () => {
    expect((await rejection(request("not a url"))).name).toBe("RequestError");
    expect((await rejection(request("ftp://127.0.0.1/x"))).name).toBe("RequestError");
  });

  test("a header value with CR/LF is refused before anything is sent", async () => {
    const error = await rejection(request(`${base}/echo`, { headers: { "X-Injected": "a\r\nX-Evil: 1" } }));
    expect(error.name).toBe("RequestError");
    expect(error.code).toBe("ERR_INVALID_CHAR");
  });
});

describe("response decoding", () => {
  test("data is a raw Buffer by default, with status, headers and res", async () => {
    const res = await request(`${base}/echo`);
    expect(Buffer.isBuffer(res.data)).toBe(true);
    expect(JSON.parse((res.data as Buffer).toString()).method).toBe("GET");
    expect(res.status).toBe(200);
    expect(res.headers["x-reply"]).toBe("yes");
    expect(res.res.statusCode).toBe(200);
    expect(res.res.size).toBe((res.data as Buffer).length);
    expect(res.res.requestUrls).toEqual([`${base}/echo`]);
    expect(res.res.remoteAddress).toBe("127.0.0.1");
  });

  test('dataType "text" decodes by the declared charset (GBK)', async () => {
    const res = await request<string>(`${base}/gbk`, { dataType: "text" });
    expect(res.data).toBe("中文");
  });

  test("a non-2xx status resolves, it does not reject", async () => {
    for (const code of [400, 404, 500, 502]) {
      const res = await request<{ code: number }>(`${base}/status/${code}`, { dataType: "json" });
      expect(res.status).toBe(code);
      expect(res.data).toEqual({ code });
    }
  });

  test("an empty 204 body is null for JSON, an empty string for text", async () => {
    expect((await request(`${base}/empty`, { dataType: "json" })).data).toBeNull();
    expect((await request(`${base}/empty`, { dataType: "text" })).data).toBe("");
  });

  test("an unparsable JSON body rejects with JSONResponseFormatError and keeps the text", async () => {
    const error = await rejection(request(`${base}/bad-json?sign=secret`, { dataType: "json" }));
    expect(error.name).toBe("JSONResponseFormatError");
    expect(error.message).toContain('(data json format: "<html>gateway error</html>")');
    expect(error.message).toContain(`GET ${base}/bad-json 200`);
    expect(error.message).not.toContain("secret");
    expect(error.status).toBe(200);
    expect(error.data).toBe("<html>gateway error</html>");
    expect(error.res?.statusCode).toBe(200);
  });
});

describe("redirects", () => {
  test("are not followed by default", async () => {
    const res = await request(`${base}/redirect/1`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/echo?done=1");
  });

  test("are followed with followRedirect, up to maxRedirects", async () => {
    const res = await request<Echo>(`${base}/redirect/3`, { followRedirect: true, maxRedirects: 3, dataType: "json" });
    expect(res.status).toBe(200);
    expect(res.data.url).toBe("/echo?done=1");
    expect(res.res.requestUrls).toEqual([`${base}/redirect/3`, `${base}/redirect/2`, `${base}/redirect/1`, `${base}/echo?done=1`]);
    const error = await rejection(request(`${base}/redirect/3`, { followRedirect: true, maxRedirects: 2 }));
    expect(error.name).toBe("MaxRedirectError");
    expect(error.status).toBe(302);
  });

  test("a redirect loop stops at the default of 10", async () => {
    const error = await rejection(request(`${base}/loop`, { followRedirect: true }));
    expect(error.name).toBe("MaxRedirectError");
    expect(error.res?.requestUrls).toHaveLength(11);
  });

  test("a redirect without Location rejects with FollowRedirectError", async () => {
    const error = await rejection(request(`${base}/no-location`, { followRedirect: true }));
    expect(error.name).toBe("FollowRedirectError");
  });

  test("303 turns a POST into a GET without body; 307 repeats it", async () => {
    const seeOther = await request<Echo>(`${base}/see-other`, { method: "POST", data: { a: 1 }, followRedirect: true, dataType: "json" });
    expect(seeOther.data.method).toBe("GET");
    expect(seeOther.data.body).toBe("");
    expect(seeOther.data.headers["content-type"]).toBeUndefined();
    const temporary = await request<Echo>(`${base}/temporary`, { method: "POST", data: { a: 1 }, followRedirect: true, dataType: "json" });
    expect(temporary.data.method).toBe("POST");
    expect(temporary.data.body).toBe("a=1");
  });

  test("credentials are not forwarded to another origin", async () => {
    const res = await request<Echo>(`${base}/elsewhere`, {
      followRedirect: true,
      headers: { Authorization: "WECHATPAY2-SHA256-RSA2048 x", "X-Keep": "1" },
      dataType: "json",
    });
    expect(res.data.url).toBe("/echo");
    expect(res.data.headers.authorization).toBeUndefined();
    expect(res.data.headers["x-keep"]).toBe("1");
  });
});

describe("timeouts and failures", () => {
  test("a slow response rejects with ResponseTimeoutError", async () => {
    const error = await rejection(request(`${base}/slow-headers`, { timeout: 200 }));
    expect(error.name).toBe("ResponseTimeoutError");
    expect(error.message).toContain("Response timeout for 200ms");
    expect(error.status).toBe(-1);
    expect(error.retryable).toBe(true);
  });

  test("the response timer covers the whole body, and [connect, response] sets each timer", async () => {
    const error = await rejection(request(`${base}/slow-body`, { timeout: [1000, 300] }));
    expect(error.name).toBe("ResponseTimeoutError");
    expect(error.message).toContain("Response timeout for 300ms");
    expect(error.status).toBe(200);
  });

  test("a connection that never establishes rejects with ConnectionTimeoutError", async () => {
    // A lookup that never answers holds the socket in its connecting phase.
    const error = await rejection(request("http://never-resolves.invalid/x", { timeout: [200, 5000], lookup: () => undefined }));
    expect(error.name).toBe("ConnectionTimeoutError");
    expect(error.message).toContain("Connect timeout for 200ms");
  });

  test("a refused connection rejects with RequestError and Node's code", async () => {
    const closed = http.createServer();
    const url = await listen(closed);
    await close(closed);
    const error = await rejection(request(`${url}/x`));
    expect(error.name).toBe("RequestError");
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.status).toBe(-1);
  });

  test("a body over maxResponseSize rejects, by Content-Length or while streaming", async () => {
    const declared = await rejection(request(`${base}/big?size=2048`, { maxResponseSize: 1024 }));
    expect(declared.name).toBe("ResponseSizeError");
    const streamed = await rejection(request(`${base}/big?size=300000&chunked=1`, { maxResponseSize: 100000 }));
    expect(streamed.name).toBe("ResponseSizeError");
    expect(streamed.message).toContain("100000 byte limit");
    const fits = await request(`${base}/big?size=1024`, { maxResponseSize: 1024 });
    expect((fits.data as Buffer).length).toBe(1024);
  });

  test("the default cap is 10 MB", async () => {
    expect(DEFAULT_MAX_RESPONSE_SIZE).toBe(10 * 1024 * 1024);
    const error = await rejection(request(`${base}/big?size=${DEFAULT_MAX_RESPONSE_SIZE + 1}&chunked=1`));
    expect(error.name).toBe("ResponseSizeError");
  });

  test("an invalid timeout is refused", async () => {
    expect((await rejection(request(`${base}/echo`, { timeout: -1 }))).name).toBe("RequestError");
  });
});

describe("https", () => {
  test("an untrusted certificate is refused by default", async () => {
    const error = await rejection(request(`${secureBase}/`));
    expect(error.name).toBe("RequestError");
    expect(error.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  test("ca trusts the server; cert and key present a client certificate", async () => {
    const anonymous = await request<{ clientAuthorized: boolean }>(`${secureBase}/`, { ca: TEST_CERT, dataType: "json" });
    expect(anonymous.data.clientAuthorized).toBe(false);
    const withCert = await request<{ clientAuthorized: boolean; clientCN: string }>(`${secureBase}/`, {
      ca: TEST_CERT,
      cert: TEST_CERT,
      key: TEST_KEY,
      dataType: "json",
    });
    expect(withCert.data).toEqual({ clientAuthorized: true, clientCN: "vk-pay httpclient test" });
  });

  test("rejectUnauthorized: false skips server verification", async () => {
    const res = await request(`${secureBase}/`, { rejectUnauthorized: false, dataType: "json" });
    expect(res.status).toBe(200);
  });
});
