import { checkInputBounds, MAX_INPUT_BYTES, MAX_INPUT_DEPTH, MAX_INPUT_KEYS } from "../../common/vk-uni-pay/src/core/input-bounds";
import { maskSecrets } from "../../common/vk-uni-pay/src/core/config";
import { nested } from "../helpers/deep-objects";

describe("the bounds on client-supplied objects", () => {
  it("accepts what a shop sends, up to the depth limit exactly", () => {
    expect(checkInputBounds({ cart: [{ sku: "pen", options: { colour: "blue" } }], note: "礼物" }, "custom")).toBeUndefined();
    expect(checkInputBounds(nested(MAX_INPUT_DEPTH), "custom")).toBeUndefined();
    expect(checkInputBounds("text", "custom")).toBeUndefined();
    expect(checkInputBounds(null, "custom")).toBeUndefined();
  });

  it("refuses one level more, and 100,000 levels, without overflowing the stack", () => {
    expect(checkInputBounds(nested(MAX_INPUT_DEPTH + 1), "custom")).toMatchObject({ reason: "data-too-deep", message: expect.stringContaining("custom") });
    expect(checkInputBounds(nested(100_000), "custom")).toMatchObject({ reason: "data-too-deep" });
    expect(checkInputBounds([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], "data")).toMatchObject({ reason: "data-too-deep" });
  });

  it("refuses more keys than the limit, counted over the whole object and its arrays", () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    expect(checkInputBounds(wide, "custom")).toMatchObject({ reason: "data-too-many-keys" });
    const spread = { a: Array.from({ length: MAX_INPUT_KEYS / 2 }, () => 1), b: Array.from({ length: MAX_INPUT_KEYS / 2 }, () => 1) };
    expect(checkInputBounds(spread, "custom")).toMatchObject({ reason: "data-too-many-keys" });
    expect(checkInputBounds({ a: spread.a }, "custom")).toBeUndefined();
  });

  it("refuses more than 64 KB serialised, counting multi-byte text by its bytes", () => {
    expect(checkInputBounds({ note: "x".repeat(MAX_INPUT_BYTES) }, "custom")).toMatchObject({ reason: "data-too-large" });
    expect(checkInputBounds({ note: "礼".repeat(MAX_INPUT_BYTES / 3) }, "custom")).toMatchObject({ reason: "data-too-large" });
    expect(checkInputBounds({ note: "x".repeat(MAX_INPUT_BYTES - 100) }, "custom")).toBeUndefined();
  });

  it("refuses a cyclic object (server code may pass one) instead of looping", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(checkInputBounds(cyclic, "custom")).toMatchObject({ reason: "data-too-deep" });
  });
});

describe("maskSecrets on stored documents of any shape", () => {
  it("does not throw on an order whose custom is 100,000 levels deep, and still masks what it reaches", () => {
    const order = { out_trade_no: "T1", custom: nested(100_000), config: { key: "k-secret", deeper: { privateKey: "p-secret" } } };
    const masked = maskSecrets(order) as Record<string, any>;
    expect(masked.config).toEqual({ key: "***", deeper: { privateKey: "***" } });
    expect(() => JSON.stringify(masked)).not.toThrow();
  });
});
