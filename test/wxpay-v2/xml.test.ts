import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { buildV2Xml, looksLikeV2Xml, MAX_XML_BYTES, parseV2Xml } from "../../common/vk-uni-pay/src/providers/wxpay/v2/protocol";

/** The SignatureError a call throws: its `detail` says why, in the protocol's words (the message is the user's). */
function refusal(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    return error;
  }
  throw new Error("expected a refusal");
}

describe("v2 XML", () => {
  it("reads every value as the exact string sent (CDATA or not, no number coercion, spaces kept)", () => {
    const fields = parseV2Xml(
      Buffer.from("<xml>\n  <total_fee>0012</total_fee>\n<a><![CDATA[ 1e3 ]]></a><b>x &amp; y</b><c></c><d/><e><![CDATA[a&amp;b<c>]]></e></xml>"),
    );
    expect(fields).toEqual({ total_fee: "0012", a: " 1e3 ", b: "x & y", c: "", d: "", e: "a&amp;b<c>" });
  });

  it.each([
    ["a DOCTYPE", '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><a>&e;</a></xml>'],
    ["an external entity", '<?xml version="1.0"?><!DOCTYPE foo SYSTEM "file:///etc/passwd"><xml><a>1</a></xml>'],
    ["an ENTITY declaration alone", '<xml><!ENTITY x "y"><a>1</a></xml>'],
    ["a lower-case doctype", "<!doctype xml><xml><a>1</a></xml>"],
  ])("refuses %s before parsing", (_, body) => {
    expect(refusal(() => parseV2Xml(body))).toMatchObject({ detail: expect.stringMatching(/DOCTYPE or entity/) });
  });

  it.each([
    ["a repeated field", "<xml><total_fee>1</total_fee><total_fee>100</total_fee></xml>"],
    ["a nested field", "<xml><a><b>1</b></a></xml>"],
    ["a mismatched tag", "<xml><a>1</b></xml>"],
    ["an unclosed root", "<xml><a>1</a>"],
    ["another root", "<root><a>1</a></root>"],
    ["two roots", "<xml><a>1</a></xml><xml><a>2</a></xml>"],
    ["stray text", "<xml>oops<a>1</a></xml>"],
    ["a prototype key", "<xml><__proto__>1</__proto__></xml>"],
    ["a constructor key", "<xml><constructor>1</constructor></xml>"],
    ["JSON", '{"return_code":"SUCCESS"}'],
    ["nothing", ""],
  ])("refuses %s", (_, body) => {
    expect(() => parseV2Xml(body)).toThrow(SignatureError);
  });

  it("refuses a body over the size limit", () => {
    expect(refusal(() => parseV2Xml(`<xml><a>${"x".repeat(MAX_XML_BYTES)}</a></xml>`))).toMatchObject({ detail: expect.stringMatching(/too large/) });
  });

  it("builds CDATA XML that parses back to the same fields, even with ]]> in a value", () => {
    const fields = { appid: "wx1", attach: "a]]><b>&amp;", scene_info: '{"h5_info":{"type":"Wap"}}' };
    const xml = buildV2Xml(fields);
    expect(xml.startsWith("<xml><appid><![CDATA[wx1]]></appid>")).toBe(true);
    expect(parseV2Xml(xml)).toEqual(fields);
  });

  it("builds the exact success reply WeChat expects", () => {
    expect(buildV2Xml({ return_code: "SUCCESS", return_msg: "OK" })).toBe(
      "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>",
    );
  });

  it("tells XML from JSON bodies", () => {
    expect(looksLikeV2Xml(Buffer.from("  \n<xml></xml>"))).toBe(true);
    expect(looksLikeV2Xml(Buffer.from('{"id":"1"}'))).toBe(false);
    expect(looksLikeV2Xml(undefined)).toBe(false);
  });
});
