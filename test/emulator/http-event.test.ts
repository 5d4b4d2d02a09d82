import { buildHttpEvent, composeHttpReply } from "../../scripts/uni-cloud-mock/src/http-event";

describe("URL化 event", () => {
  it("has uniCloud's shape: relative path, upper-case method, lower-case headers, string query values", () => {
    const event = buildHttpEvent({
      relativePath: "/a/b",
      method: "post",
      headers: { "Content-Type": "application/json", "X-Multi": ["1", "2"] } as never,
      search: new URLSearchParams("x=1&y=two&x=3"),
      body: Buffer.from('{"a":1}'),
    });
    expect(event).toEqual({
      path: "/a/b",
      httpMethod: "POST",
      headers: { "content-type": "application/json", "x-multi": "1, 2" },
      queryStringParameters: { x: "3", y: "two" },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
  });

  it("hands binary bodies over base64-encoded and text bodies as text", () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const binary = buildHttpEvent({
      relativePath: "/",
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      search: new URLSearchParams(),
      body: bytes,
    });
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body, "base64")).toEqual(bytes);
    for (const type of ["text/xml", "application/xml; charset=utf-8", "application/x-www-form-urlencoded", "application/vnd.api+json"]) {
      const text = buildHttpEvent({
        relativePath: "/",
        method: "POST",
        headers: { "content-type": type },
        search: new URLSearchParams(),
        body: Buffer.from("<a/>"),
      });
      expect(text).toMatchObject({ body: "<a/>", isBase64Encoded: false });
    }
  });

  it("gives an empty body as an empty string", () => {
    const event = buildHttpEvent({ relativePath: "/", method: "GET", headers: {}, search: new URLSearchParams(), body: Buffer.alloc(0) });
    expect(event).toMatchObject({ body: "", isBase64Encoded: false, httpMethod: "GET" });
  });
});

describe("integration response", () => {
  it("honours status, headers and body of an mpserverlessComposedResponse", () => {
    const reply = composeHttpReply({ mpserverlessComposedResponse: true, statusCode: 202, headers: { "Content-Type": "text/xml", "X-Id": 7 }, body: "<xml/>" });
    expect(reply.statusCode).toBe(202);
    expect(reply.headers).toEqual({ "content-type": "text/xml", "x-id": "7" });
    expect(reply.body.toString()).toBe("<xml/>");
  });

  it("decodes a base64 integration body", () => {
    const reply = composeHttpReply({ mpserverlessComposedResponse: true, body: Buffer.from([1, 2, 3]).toString("base64"), isBase64Encoded: true });
    expect([...reply.body]).toEqual([1, 2, 3]);
    expect(reply.statusCode).toBe(200);
  });

  it("answers a string as text, an object as JSON, and ignores a look-alike without the flag", () => {
    expect(composeHttpReply("success")).toMatchObject({ statusCode: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
    const json = composeHttpReply({ statusCode: 500, body: "x" });
    expect(json.statusCode).toBe(200);
    expect(JSON.parse(json.body.toString())).toEqual({ statusCode: 500, body: "x" });
  });

  it("turns an out-of-range status into a server error rather than crashing", () => {
    expect(composeHttpReply({ mpserverlessComposedResponse: true, statusCode: 1000 }).statusCode).toBe(500);
  });
});
