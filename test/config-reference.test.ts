import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProvider, registeredProviders } from "../common/vk-uni-pay/src/providers";
import type { ConfigReference, MerchantConfig } from "../common/vk-uni-pay/src/kernel/contract";
import { readWxpayMerchant } from "../common/vk-uni-pay/src/providers/wxpay/merchant";
import { readWxpayV2Merchant } from "../common/vk-uni-pay/src/providers/wxpay/v2/merchant";
import { readAlipayMerchant } from "../common/vk-uni-pay/src/providers/alipay/merchant";
import { readAppleMerchant } from "../common/vk-uni-pay/src/providers/appleiap/merchant";
import { readVkspayMerchant } from "../common/vk-uni-pay/src/providers/vkspay/merchant";
import { readXpayMerchant } from "../common/vk-uni-pay/src/providers/wxpay-virtual/merchant";
import { readDouyinMerchant } from "../common/vk-uni-pay/src/providers/douyin/merchant";
import { readHuaweiMerchant } from "../common/vk-uni-pay/src/providers/huawei/merchant";
import { configReference, readmeWithConfigReference } from "../scripts/build/config-reference";
import { README_FILE } from "../scripts/build/provider-table";
import { prepareDataDir } from "../scripts/local/data-dir";
import { DEFAULT_STAND_INS_DIR } from "../scripts/uni-cloud-mock/src/emulator";

/**
 * Issue 18: the README's configuration reference is generated from the providers' key lists, and those
 * lists are held to the readers themselves: a reader runs on a config that records every key it looks at.
 */

type Config = Record<string, any>;
type Reader = (config: MerchantConfig) => unknown;

/** Runs a reader on a copy of `config` and returns every key it read (absent keys too: `get` still fires). */
function keysRead(read: Reader, config: Config): Set<string> {
  const seen = new Set<string>();
  const proxy = new Proxy(
    { ...config },
    {
      get: (target, key) => (typeof key === "string" && seen.add(key), Reflect.get(target, key)),
      has: (target, key) => (typeof key === "string" && seen.add(key), Reflect.has(target, key)),
    },
  );
  try {
    read(proxy);
  } catch {
    // A refusal still says which keys were read up to it.
  }
  return seen;
}

/** Which reader judges which documented variant, on which sample sub-configs of the generated config. */
function cases(config: Config): Array<{ provider: string; variant: number; read: Reader; samples: Config[] }> {
  const xpay = config["wxpay-virtual"]["mp-weixin"];
  const douyin = config.douyin["mp-toutiao"];
  return [
    { provider: "wxpay", variant: 0, read: readWxpayMerchant, samples: [config.wxpay["mp-weixin"], config.wxpay.mweb] },
    { provider: "wxpay", variant: 1, read: readWxpayV2Merchant, samples: [config.wxpay.codepay] },
    { provider: "alipay", variant: 0, read: readAlipayMerchant, samples: [config.alipay["mp-alipay"], config.alipay.transfer] },
    { provider: "appleiap", variant: 0, read: readAppleMerchant, samples: [config.appleiap["app-plus"]] },
    { provider: "vkspay", variant: 0, read: readVkspayMerchant, samples: [config.vkspay] },
    { provider: "wxpay-virtual", variant: 0, read: readXpayMerchant, samples: [xpay, { ...xpay, sandbox: true }] },
    { provider: "douyin", variant: 0, read: readDouyinMerchant, samples: [douyin] },
    { provider: "douyin", variant: 1, read: readDouyinMerchant, samples: [{ ...douyin, version: 1, salt: "salt-salt", token: "token-token" }] },
    { provider: "huawei", variant: 0, read: readHuaweiMerchant, samples: [config.huawei["app-harmony"]] },
  ];
}

describe("the configuration reference", () => {
  let dataDir: string;
  let config: Config;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-config-reference-"));
    await prepareDataDir(dataDir);
    process.env.UNICLOUD_STAND_INS_DIR ??= DEFAULT_STAND_INS_DIR;
    config = require(join(dataDir, "uni-config-center", "uni-pay", "config.js"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const referenceOf = (provider: string, variant: number): ConfigReference => findProvider(provider)!.configReference![variant]!;

  it("covers every registered provider, and every variant is judged by a reader here", () => {
    for (const name of registeredProviders())
      expect({ name, documented: Boolean(findProvider(name)!.configReference?.length) }).toEqual({ name, documented: true });
    const judged = cases(config).map((entry) => `${entry.provider}#${entry.variant}`);
    const documented = registeredProviders().flatMap((name) => findProvider(name)!.configReference!.map((_, index) => `${name}#${index}`));
    expect(judged.sort()).toEqual(documented.sort());
  });

  it("names every key a provider's reader reads", () => {
    for (const { provider, variant, read, samples } of cases(config)) {
      const documented = new Set(referenceOf(provider, variant).keys.flatMap((doc) => [doc.key, ...(doc.alternatives ?? [])]));
      for (const sample of samples) {
        const undocumented = [...keysRead(read, sample)].filter((key) => !documented.has(key));
        expect({ provider, variant, undocumented }).toEqual({ provider, variant, undocumented: [] });
      }
    }
  });

  it("names no key the reader ignores (unless another part reads it, and says which)", () => {
    for (const { provider, variant, read, samples } of cases(config)) {
      const ignored: string[] = [];
      for (const doc of referenceOf(provider, variant).keys.filter((entry) => !entry.readElsewhere)) {
        const group = [doc.key, ...(doc.alternatives ?? [])];
        for (const name of group) {
          // Leave only this name of its group, so an inline alternative cannot hide that its path is read.
          const read_ = samples.some((sample) => {
            const trimmed = { ...sample };
            for (const other of group) if (other !== name) delete trimmed[other];
            return keysRead(read, trimmed).has(name);
          });
          if (!read_) ignored.push(name);
        }
      }
      expect({ provider, variant, ignored }).toEqual({ provider, variant, ignored: [] });
    }
  });

  it("is in the README as generated (run `npm run -s docs` after changing a provider's keys)", () => {
    const readme = readFileSync(README_FILE, "utf8").replace(/\r\n/g, "\n");
    expect(readmeWithConfigReference(readme)).toBe(readme);
    const reference = configReference();
    expect(reference).toContain("| `appPrivateKeyPath` / `appPrivateKeyContent` | yes | path or content |");
    expect(reference).toContain("#### `douyin` (抖音支付), `version: 1` (担保支付)");
  });

  it("keeps the README's first lines: the two commands, and doctor and migrate in the commands table", () => {
    const readme = readFileSync(README_FILE, "utf8").replace(/\r\n/g, "\n");
    expect(readme.split("\n").slice(0, 6).join("\n")).toMatch(/^# vk-pay\n\n```sh\nnpm install && npm start .*\nnpm test .*\n```/);
    expect(readme).toMatch(/^\| `npm run doctor/m);
    expect(readme).toMatch(/^\| `npm run migrate/m);
  });
});
