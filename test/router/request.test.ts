import { checkUrl } from "../../router/dispatch";
import { parseClientCall, parseHttpCall } from "../../router/request";
import { nested } from "../helpers/deep-objects";

const context = { SOURCE: "http", requestId: "r1" };

describe("url checks", () => {
  it("accepts route names", () => {
    expect(checkUrl("user/getInfo")).toBe("user/getInfo");
    expect(checkUrl("pay/appleiap/verifyReceipt")).toBe("pay/appleiap/verifyReceipt");
  });

  it.each([
    [undefined, -1, "vk-pay-url-missing"],
    ["", -1, "vk-pay-url-missing"],
    [42, -1, "vk-pay-url-invalid"],
    [{ $gt: "" }, -1, "vk-pay-url-invalid"],
    [["user/getInfo"], -1, "vk-pay-url-invalid"],
    ["../secrets", -1, "vk-pay-url-dotdot"],
    ["pay/..", -1, "vk-pay-url-dotdot"],
    ["/user/getInfo", -1, "vk-pay-url-forbidden"],
    ["pay-notify/recharge", -1, "vk-pay-url-forbidden"],
    ["service/pay-notify/goods", -1, "vk-pay-url-forbidden"],
    ["user/getInfo/", -1, "vk-pay-url-invalid"],
    ["user//getInfo", -1, "vk-pay-url-invalid"],
    ["user/get Info", -1, "vk-pay-url-invalid"],
    ["user\\getInfo", -1, "vk-pay-url-invalid"],
    ["a".repeat(201), -1, "vk-pay-url-invalid"],
  ])("refuses %p", (url, code, errCode) => {
    expect(checkUrl(url)).toMatchObject({ code, errCode });
  });
});

describe("client calls", () => {
  it("reads url, action and $url, data and the token the client SDK injects", () => {
    expect(parseClientCall({ url: "a/b", data: { x: 1 }, uniIdToken: "t" }, context)).toMatchObject({ url: "a/b", data: { x: 1 }, token: "t" });
    expect(parseClientCall({ action: "a/b" }, context)).toMatchObject({ url: "a/b", data: {} });
    expect(parseClientCall({ $url: "a/b" }, context)).toMatchObject({ url: "a/b" });
  });

  it("refuses data that is not an object", () => {
    for (const data of ["x", 1, [1], true]) expect(parseClientCall({ url: "a", data }, context)).toMatchObject({ code: -1, errCode: "vk-pay-data-invalid" });
    expect(parseClientCall("x", context)).toMatchObject({ code: -1 });
  });

  it("refuses data: null as not an object (only an absent data means {})", () => {
    expect(parseClientCall({ url: "a", data: null }, context)).toMatchObject({ code: -1, errCode: "vk-pay-data-invalid" });
  });

  it("ignores a token that is not a string", () => {
    expect(parseClientCall({ url: "a", uniIdToken: { $ne: "" } }, context)).toMatchObject({ token: undefined });
  });
});

describe("URL化 calls", () => {
  const http = (body: string, extra: Record<string, unknown> = {}) => ({
    httpMethod: "POST",
    headers: {},
    queryStringParameters: {},
    body,
    isBase64Encoded: false,
    ...extra,
  });

  it("refuses data: null as not an object", () => {
    expect(parseHttpCall(http(JSON.stringify({ url: "a", data: null })), context)).toMatchObject({ code: -1, errCode: "vk-pay-data-invalid" });
  });

  it("parses the JSON body, merges query parameters under body data, and reads the uni-id-token header", () => {
    const call = parseHttpCall(
      http(JSON.stringify({ url: "a/b", data: { x: "body" } }), { queryStringParameters: { x: "query", y: "query" }, headers: { "uni-id-token": "tok" } }),
      context,
    );
    expect(call).toMatchObject({ url: "a/b", data: { x: "body", y: "query" }, token: "tok" });
  });

  it("decodes base64 bodies", () => {
    const body = Buffer.from(JSON.stringify({ action: "a/b", data: { n: 1 } })).toString("base64");
    expect(parseHttpCall(http(body, { isBase64Encoded: true }), context)).toMatchObject({ url: "a/b", data: { n: 1 } });
  });

  it("settles the platform and app id from vk_platform and vk_appid", () => {
    const call = parseHttpCall(http(JSON.stringify({ url: "a", data: { vk_platform: "mp-weixin", vk_appid: "__UNI__X" } })), context);
    expect(call).toMatchObject({ context: { PLATFORM: "mp-weixin", APPID: "__UNI__X", SOURCE: "http" } });
  });

  it.each([
    ["{not json", false, "vk-pay-body-invalid"],
    ["[1,2,3]", false, "vk-pay-body-invalid"],
    ['"string"', false, "vk-pay-body-invalid"],
    ['{"url":"a","data":"x"}', false, "vk-pay-data-invalid"],
    ['{"url":"a","data":[1]}', false, "vk-pay-data-invalid"],
    ["!!not-base64!!", true, "vk-pay-body-invalid"],
    [Buffer.from("{bad").toString("base64"), true, "vk-pay-body-invalid"],
  ])("refuses body %p (base64 %p)", (body, isBase64Encoded, errCode) => {
    expect(parseHttpCall(http(body, { isBase64Encoded }), context)).toMatchObject({ code: -1, errCode });
  });

  it("refuses oversized bodies before parsing them", () => {
    const body = JSON.stringify({ url: "a", data: { pad: "x".repeat(1024 * 1024) } });
    expect(parseHttpCall(http(body), context)).toMatchObject({ code: -1, errCode: "vk-pay-body-too-large" });
  });

  it("treats an empty body as an empty envelope", () => {
    expect(parseHttpCall(http(""), context)).toMatchObject({ url: undefined, data: {} });
  });
});

describe("bounds on the data a caller sends", () => {
  it.each([
    ["a custom 100,000 levels deep", { custom: nested(100_000) }, "vk-pay-data-too-deep"],
    ["an other 33 levels deep", { other: nested(33) }, "vk-pay-data-too-deep"],
    ["a custom 50,000 keys wide", { custom: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])) }, "vk-pay-data-too-many-keys"],
    ["a 100 KB note", { custom: { note: "x".repeat(100 * 1024) } }, "vk-pay-data-too-large"],
  ])("refuses %s from a client call with -1", (_label, data, errCode) => {
    expect(parseClientCall({ url: "pay/createPayment", data }, { SOURCE: "client" })).toMatchObject({ code: -1, errCode });
  });

  it("refuses the same over HTTP, parsed from a body JSON.stringify could not even write", () => {
    const body = `{"url":"pay/createPayment","data":{"custom":${'{"a":'.repeat(100_000)}{}${"}".repeat(100_000)}}}`;
    expect(parseHttpCall({ httpMethod: "POST", headers: {}, body }, context)).toMatchObject({ code: -1, errCode: "vk-pay-data-too-deep" });
  });

  it("passes data a shop sends", () => {
    const data = { provider: "wxpay", type: "goods", custom: { goods_id: "g1", quantity: 2, options: { engraving: { text: "生日快乐" } } } };
    expect(parseClientCall({ url: "pay/createPayment", data }, { SOURCE: "client" })).toMatchObject({ url: "pay/createPayment", data });
  });
});
