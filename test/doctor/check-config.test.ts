import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkConfig } from "../../scripts/doctor/check-config";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { registeredProviders } from "../../common/vk-uni-pay/src/providers/registry";
import { LOCK_FILE_NAME, lockDataDir } from "../../scripts/local/data-dir-lock";

/** `npm run doctor` on the config `npm start` generates, and on broken copies of it. */
describe("the config doctor", () => {
  let dataDir: string;
  let generated: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-doctor-"));
    await prepareDataDir(dataDir);
    generated = join(dataDir, "uni-config-center", "uni-pay");
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** A config.js that loads the generated one and changes one sub-config. */
  const variant = (name: string, edit: string): string => {
    const dir = join(dataDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "config.js"),
      `const c = require(${JSON.stringify(join(generated, "config.js"))});\nconst config = JSON.parse(JSON.stringify(c));\n${edit}\nmodule.exports = config;\n`,
    );
    return dir;
  };

  it("reports every registered provider's modes of the generated config as ok, with the notify URL to register", async () => {
    const checks = await checkConfig(generated);
    expect([...new Set(checks.map((check) => check.provider))]).toEqual(registeredProviders());
    expect(checks.filter((check) => check.status !== "ok")).toEqual([]);
    const wx = checks.find((check) => check.provider === "wxpay" && check.mode === "mp-weixin")!;
    expect(wx.notifyUrl).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/http\/vk-pay\/vk-pay-notify\/wxpay_mp-weixin$/)]);
    expect(wx.items).toEqual(expect.arrayContaining([{ key: "(reader)", status: "ok", detail: expect.any(String) }]));
    // A plain object the console can send as JSON, and no secret in it.
    const json = JSON.stringify(checks);
    expect(JSON.parse(json)).toEqual(checks);
    const config = require(join(generated, "config.js"));
    for (const secret of [config.wxpay["mp-weixin"].v3Key, config.wxpay["mp-weixin"].key, config.alipay["mp-alipay"].privateKey, config.notifyKey]) {
      expect(json).not.toContain(secret);
    }
  });

  it("names a missing key, and a private key that does not match the merchant certificate", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" });
    const keyFile = join(dataDir, "other_key.pem");
    writeFileSync(keyFile, other);
    const checks = await checkConfig(
      variant(
        "broken",
        `delete config.wxpay["mp-weixin"].v3Key;\nconfig.wxpay["app-plus"].appPrivateKeyPath = ${JSON.stringify(keyFile)};\ndelete config.alipay;`,
      ),
    );
    const missing = checks.find((check) => check.provider === "wxpay" && check.mode === "mp-weixin")!;
    expect(missing.status).toBe("missing");
    expect(missing.items).toEqual(expect.arrayContaining([{ key: "v3Key", status: "missing", detail: "required" }]));
    const mismatch = checks.find((check) => check.provider === "wxpay" && check.mode === "app-plus")!;
    expect(mismatch.status).toBe("mismatch");
    expect(mismatch.items.find((item) => item.key === "(reader)")).toMatchObject({ status: "mismatch", detail: expect.stringContaining("不匹配") });
    expect(checks.filter((check) => check.provider === "alipay").map((check) => check.status)).toEqual(["unused", "unused", "unused", "unused"]);
    expect(checks.find((check) => check.provider === "wxpay" && check.mode === "h5")!.status).toBe("ok");
  });

  describe("the notify URL's port, as the emulator prints it", () => {
    const saved = process.env.PORT;
    // The config is evaluated once per module registry under jest (require.cache is Node's): each case loads it afresh.
    beforeEach(() => jest.resetModules());
    afterEach(() => {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
      rmSync(join(dataDir, LOCK_FILE_NAME), { force: true });
    });
    const port = async () => new URL((await checkConfig(undefined, dataDir)).find((check) => check.provider === "wxpay")!.notifyUrl[0]!).port;

    it("is npm start's default without PORT and without a running npm start", async () => {
      delete process.env.PORT;
      expect(await port()).toBe("8787");
    });

    it("is the port the npm start on this data directory listens on, when PORT is not set here", async () => {
      delete process.env.PORT;
      // This process stands in for the running npm start: alive, holding the lock, listening on 9123.
      lockDataDir(dataDir).recordPort(9123);
      expect(await port()).toBe("9123");
      expect(process.env.PORT).toBeUndefined();
    });

    it("is PORT when it is set", async () => {
      process.env.PORT = "9234";
      lockDataDir(dataDir).recordPort(9123);
      expect(await port()).toBe("9234");
    });
  });
});
