import { createDecipheriv } from "node:crypto";
import { decrypt, encrypt } from "../../common/vk-uni-pay/src/api/crypto-aes";

const KEY = "0123456789abcdef0123456789abcdef-and-more-ignored";

describe("crypto.aes (vk-uni-pay's cross-language format)", () => {
  it("round-trips objects and strings", () => {
    const sealed = encrypt({ data: { out_trade_no: "T1", total_fee: 100 } }, KEY);
    expect(decrypt({ data: sealed }, KEY)).toEqual({ out_trade_no: "T1", total_fee: 100 });
    expect(decrypt({ data: encrypt({ data: "plain" }, KEY) }, KEY)).toBe("plain");
  });

  it("is AES-256-ECB with PKCS#7 and base64, keyed by the first 32 characters, as a Java or PHP peer decrypts it", () => {
    const sealed = encrypt({ data: "hello" }, KEY);
    const peer = createDecipheriv("aes-256-ecb", Buffer.from(KEY.slice(0, 32)), null);
    expect(Buffer.concat([peer.update(Buffer.from(sealed, "base64")), peer.final()]).toString()).toBe("hello");
    expect(Buffer.from(sealed, "base64")).toHaveLength(16);
  });

  it("throws on another key, damaged text, or a missing key", () => {
    const sealed = encrypt({ data: { a: 1 } }, KEY);
    expect(() => decrypt({ data: sealed }, "another-key-another-key-another-key")).toThrow();
    expect(() => decrypt({ data: sealed.slice(0, -4) + "AAAA" }, KEY)).toThrow();
    expect(() => encrypt({ data: "x" }, "short")).toThrow(expect.objectContaining({ errCode: "vk-pay-notify-key-missing" }));
  });
});
