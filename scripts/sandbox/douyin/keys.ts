import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The Douyin sandbox's merchant and its keys, made once per data directory
 * (`sandbox/douyin/keys.json`, readable by its owner only): the mini program's app key pair (the library
 * signs `tt.requestOrder` data with the private half; the sandbox verifies with the public half, as the
 * developer uploads it to Douyin), the platform key pair (the sandbox signs trade-system callbacks; the
 * library verifies with the public half), the AppSecret, and ecpay's SALT and TOKEN.
 */
export interface DouyinSandboxKeys {
  version: 1;
  appId: string;
  secret: string;
  mchId: string;
  keyVersion: string;
  appPrivateKeyPem: string;
  appPublicKeyPem: string;
  platformPrivateKeyPem: string;
  platformPublicKeyPem: string;
  salt: string;
  token: string;
}

function rsaPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

export function createDouyinSandboxKeys(): DouyinSandboxKeys {
  const app = rsaPair();
  const platform = rsaPair();
  return {
    version: 1,
    appId: "ttsandbox0000000001",
    secret: randomBytes(20).toString("hex"),
    mchId: "72000000000000000001",
    keyVersion: "1",
    appPrivateKeyPem: app.privateKeyPem,
    appPublicKeyPem: app.publicKeyPem,
    platformPrivateKeyPem: platform.privateKeyPem,
    platformPublicKeyPem: platform.publicKeyPem,
    salt: randomBytes(20).toString("base64url"),
    token: randomBytes(12).toString("hex"),
  };
}

const cache = new Map<string, DouyinSandboxKeys>();

export function douyinKeysFile(dataDir: string): string {
  return join(dataDir, "sandbox", "douyin", "keys.json");
}

/** The data directory's keys, generated on first use; the same object for every caller of this process. */
export async function loadOrCreateDouyinSandboxKeys(dataDir: string): Promise<DouyinSandboxKeys> {
  const file = douyinKeysFile(dataDir);
  const hit = cache.get(file);
  if (hit) return hit;
  let keys: DouyinSandboxKeys | undefined;
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as DouyinSandboxKeys;
      if (parsed.version === 1 && parsed.platformPrivateKeyPem && parsed.appPublicKeyPem) keys = parsed;
    } catch {
      // A damaged file is replaced by new keys (the generated config is rewritten with them).
    }
  }
  if (!keys) {
    keys = createDouyinSandboxKeys();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  cache.set(file, keys);
  return keys;
}
