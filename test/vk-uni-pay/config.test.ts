import { loadPayConfig, maskSecrets, merchantConfig, notifyBaseUrl, validatePayConfig } from "../../common/vk-uni-pay/src/core/config";

const base = {
  notifyUrl: { "mp-6666aaaa": "https://fc-mp-6666aaaa.next.bspapp.com/http/vk-pay/", local: "http://127.0.0.1:8787/http/vk-pay" },
  notifyKey: "k".repeat(64),
  wxpay: { "mp-weixin": { appId: "wx1", mchId: "190", v3Key: "v".repeat(32), appPrivateKeyPath: "/x.pem" } },
  vkspay: { mchId: "1001", key: "vks-key" },
  huawei: { "app-harmony": { appId: "h1" } },
};

describe("uni-pay configuration", () => {
  it("is validated once, frozen, and reloaded only when the module hands back a new object", () => {
    let source: unknown = base;
    let reads = 0;
    const center = () => ({
      requireFile: () => {
        reads += 1;
        return source;
      },
      hasFile: () => true,
    });
    const first = loadPayConfig(center);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first.wxpay as any)["mp-weixin"])).toBe(true);
    expect(() => {
      (first as any).notifyKey = "x";
    }).toThrow();
    expect(loadPayConfig(center)).toBe(first);
    source = { ...base, notifyKey: "other" };
    expect(loadPayConfig(center).notifyKey).toBe("other");
    expect(reads).toBe(3);
  });

  it("refuses a missing or malformed config with a config error", () => {
    expect(() => loadPayConfig(() => ({ requireFile: () => undefined, hasFile: () => false }))).toThrow(
      expect.objectContaining({ errCode: "vk-pay-config-missing" }),
    );
    for (const bad of [null, [], "x", { notifyUrl: "https://x" }, { userWhitelist: "u1" }, { autoDeleteExpiredOrders: -1 }]) {
      expect(() => validatePayConfig(bad)).toThrow(expect.objectContaining({ errCode: "vk-pay-config-invalid" }));
    }
  });

  it("finds the notify URL by spaceId, with or without the mp- prefix, and answers 101 otherwise", () => {
    const config = validatePayConfig(base);
    expect(notifyBaseUrl(config, "mp-6666aaaa")).toBe("https://fc-mp-6666aaaa.next.bspapp.com/http/vk-pay");
    expect(notifyBaseUrl(config, "6666aaaa")).toBe("https://fc-mp-6666aaaa.next.bspapp.com/http/vk-pay");
    expect(notifyBaseUrl(config, "local")).toBe("http://127.0.0.1:8787/http/vk-pay");
    for (const spaceId of ["other", undefined, ""]) expect(() => notifyBaseUrl(config, spaceId)).toThrow(expect.objectContaining({ code: 101 }));
    expect(() => notifyBaseUrl(validatePayConfig({ notifyUrl: { local: "ftp://x" } }), "local")).toThrow(expect.objectContaining({ code: 101 }));
  });

  it("picks the merchant sub-config at the path the provider gives", () => {
    const config = validatePayConfig(base);
    expect(merchantConfig(config, ["wxpay", "mp-weixin"])).toMatchObject({ mchId: "190" });
    expect(merchantConfig(config, ["vkspay"])).toMatchObject({ mchId: "1001" });
    expect(merchantConfig(config, ["huawei", "app-harmony"])).toMatchObject({ appId: "h1" });
    expect(() => merchantConfig(config, ["wxpay", "h5"])).toThrow(expect.objectContaining({ errCode: "vk-pay-merchant-config-missing" }));
    expect(() => merchantConfig(config, ["alipay", "h5"])).toThrow(expect.objectContaining({ errCode: "vk-pay-merchant-config-missing" }));
  });

  it("masks every secret before anything reaches a log", () => {
    const masked = JSON.stringify(
      maskSecrets({
        ...base,
        wxpay: { "mp-weixin": { ...base.wxpay["mp-weixin"], pfx: Buffer.from("p12"), appPrivateKeyContent: "-----BEGIN PRIVATE KEY-----" } },
      }),
    );
    for (const secret of ["k".repeat(64), "v".repeat(32), "vks-key", "BEGIN PRIVATE KEY", "p12"]) expect(masked).not.toContain(secret);
    expect(masked).toContain('"mchId":"190"');
  });
});
