import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkConfig, type ProviderCheck } from "../../scripts/doctor/check-config";
import { prepareDataDir } from "../../scripts/local/data-dir";

/**
 * Issue 18: `npm run doctor` for appleiap, vkspay, wxpay-virtual, douyin (both systems) and huawei, each
 * judged by its own `describeConfig`: the generated config passes, and each broken copy is named.
 */
describe("the config doctor on every provider", () => {
  let dataDir: string;
  let generated: string;
  let config: Record<string, any>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-doctor-providers-"));
    await prepareDataDir(dataDir);
    generated = join(dataDir, "uni-config-center", "uni-pay");
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  let count = 0;
  /** The doctor's report on the generated config changed by `edit` (JavaScript run on `config`). */
  const checkVariant = async (edit: string): Promise<ProviderCheck[]> => {
    const dir = join(dataDir, `variant-${++count}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "config.js"),
      `const c = require(${JSON.stringify(join(generated, "config.js"))});\nconst config = JSON.parse(JSON.stringify(c));\n${edit}\nmodule.exports = config;\n`,
    );
    return checkConfig(dir);
  };
  const find = (checks: ProviderCheck[], provider: string, mode: string) => checks.find((check) => check.provider === provider && check.mode === mode)!;

  it("describes each provider's keys of the generated config, with its notify URL and without its secrets", async () => {
    const checks = await checkConfig(generated);
    config = require(join(generated, "config.js"));
    for (const [provider, mode, key] of [
      ["appleiap", "app-plus", "bundleId"],
      ["vkspay", "h5", "gatewayUrl"],
      ["wxpay-virtual", "mp-weixin", "offerId"],
      ["douyin", "mp-toutiao", "platformPublicKey"],
      ["huawei", "app-plus", "mchAuthId"],
      ["huawei", "mp-harmony", "mchPrivateKey"],
    ] as const) {
      const check = find(checks, provider, mode);
      expect({ provider, mode, status: check.status }).toEqual({ provider, mode, status: "ok" });
      expect(check.items.map((item) => item.key)).toEqual(expect.arrayContaining([key, "(reader)"]));
      expect(check.notifyUrl).toEqual([expect.stringMatching(new RegExp(`/vk-pay-notify/${provider}_${mode}$`))]);
    }
    expect(find(checks, "vkspay", "h5").items.find((item) => item.key === "gatewayUrl")!.detail).toBe(config.vkspay.gatewayUrl);
    expect(find(checks, "douyin", "mp-toutiao").items.find((item) => item.key === "privateKey")!.detail).toMatch(/^PEM PRIVATE KEY \(\d+ chars\)$/);
    const json = JSON.stringify(checks);
    const xpay = config["wxpay-virtual"]["mp-weixin"];
    const secrets = [
      config.appleiap["app-plus"].password,
      config.vkspay.key,
      xpay.secret,
      xpay.appKey,
      xpay.sandboxAppKey,
      xpay.token,
      xpay.encodingAESKey,
      config.douyin["mp-toutiao"].secret,
      config.douyin["mp-toutiao"].privateKey,
      config.huawei["app-harmony"].mchPrivateKey,
    ];
    for (const secret of secrets) {
      expect(typeof secret).toBe("string");
      expect(json).not.toContain(secret);
      expect(json).not.toContain(secret.slice(4, -4));
    }
  });

  it("appleiap: a missing bundleId, and a .p8 file of another key id", async () => {
    const checks = await checkVariant(`const a = config.appleiap["app-plus"]; delete a.bundleId;`);
    expect(find(checks, "appleiap", "app-plus").items).toEqual(expect.arrayContaining([{ key: "bundleId", status: "missing", detail: "required" }]));
    const other = await checkVariant(`config.appleiap["app-plus"].keyId = "OTHERKEY";`);
    const check = find(other, "appleiap", "app-plus");
    expect(check.status).toBe("mismatch");
    expect(check.items).toEqual(expect.arrayContaining([{ key: "keyId / privateKeyPath", status: "mismatch", detail: expect.stringContaining("SANDBOXKEY") }]));
  });

  it("vkspay: a missing key, and a plain-http gateway elsewhere than this machine", async () => {
    const checks = await checkVariant(`delete config.vkspay.key;`);
    for (const mode of ["h5", "mp-weixin", "app-plus"]) expect(find(checks, "vkspay", mode).status).toBe("missing");
    expect(find(checks, "vkspay", "h5").items).toEqual(expect.arrayContaining([{ key: "key", status: "missing", detail: "required" }]));
    const clear = await checkVariant(`config.vkspay.gatewayUrl = "http://pay.example.com/";`);
    expect(find(clear, "vkspay", "h5").status).toBe("mismatch");
  });

  it("wxpay-virtual: the sandbox env asks for sandboxAppKey, and a safe-mode key of the wrong length", async () => {
    const checks = await checkVariant(`const x = config["wxpay-virtual"]["mp-weixin"]; x.sandbox = true; delete x.sandboxAppKey;`);
    const check = find(checks, "wxpay-virtual", "mp-weixin");
    expect(check.status).toBe("missing");
    expect(check.items).toEqual(expect.arrayContaining([{ key: "sandboxAppKey", status: "missing", detail: "required" }]));
    const short = await checkVariant(`config["wxpay-virtual"]["mp-weixin"].encodingAESKey = "abc";`);
    expect(find(short, "wxpay-virtual", "mp-weixin").items).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: "encodingAESKey", status: "mismatch" })]),
    );
  });

  it("douyin: the app's own public key as the platform key, a private key there, and 担保支付 without its token", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pair = JSON.stringify({
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }),
      publicKey: publicKey.export({ type: "spki", format: "pem" }),
    });
    const own = await checkVariant(`const d = config.douyin["mp-toutiao"]; const p = ${pair}; d.privateKey = p.privateKey; d.platformPublicKey = p.publicKey;`);
    expect(find(own, "douyin", "mp-toutiao").status).toBe("mismatch");
    expect(find(own, "douyin", "mp-toutiao").items).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: "platformPublicKey", status: "mismatch" })]),
    );
    const misplaced = await checkVariant(`const d = config.douyin["mp-toutiao"]; d.platformPublicKey = d.privateKey;`);
    expect(find(misplaced, "douyin", "mp-toutiao").items.find((item) => item.key === "(reader)")).toMatchObject({ status: "mismatch" });
    const ecpay = await checkVariant(`const d = config.douyin["mp-toutiao"]; d.version = 1; d.salt = "a-payment-salt";`);
    const check = find(ecpay, "douyin", "mp-toutiao");
    expect(check.status).toBe("missing");
    expect(check.items).toEqual(expect.arrayContaining([{ key: "token", status: "missing", detail: "required" }]));
    expect(check.items.map((item) => item.key)).not.toContain("platformPublicKey");
  });

  it("huawei: a missing certificate id, and a platform key that is no SM2 key", async () => {
    const checks = await checkVariant(`delete config.huawei["mp-harmony"].mchAuthId; config.huawei["app-harmony"].platformPublicKey = "04abcd";`);
    expect(find(checks, "huawei", "mp-harmony").items).toEqual(expect.arrayContaining([{ key: "mchAuthId", status: "missing", detail: "required" }]));
    const app = find(checks, "huawei", "app-plus");
    expect(app.status).toBe("missing");
    expect(app.items.find((item) => item.key === "(reader)")!.detail).toContain("platformPublicKey");
  });
});
