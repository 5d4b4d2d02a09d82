import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSecretFile } from "../pki/files";
import { createAppleTestChain, type AppleSigningChain } from "./chain";

/**
 * The Apple sandbox's keys, made once per data directory under `sandbox/appleiap/`: its signing chain
 * (root, intermediate and leaf with Apple's marker OIDs; the root is what the generated config trusts
 * through `trustedRootCertPaths`) and the App Store Server API key (a .p8, EC P-256) the library signs
 * its bearer tokens with.
 */

export const APPLE_SANDBOX_BUNDLE_ID = "com.vkpay.sandbox";
export const APPLE_SANDBOX_APP_APPLE_ID = 1000000001;
export const APPLE_SANDBOX_KEY_ID = "SANDBOXKEY";
export const APPLE_SANDBOX_ISSUER_ID = "57246542-96fe-1a63-e053-0824d0110000";
/** verifyReceipt's app-specific shared secret in the sandbox. */
export const APPLE_SANDBOX_PASSWORD = "vk-pay-sandbox-shared-secret";

export interface AppleSandboxKeys {
  chain: AppleSigningChain;
  rootPath: string;
  apiKeyPath: string;
  apiPublicKey: KeyObject;
}

export function appleSandboxDir(dataDir: string): string {
  return join(dataDir, "sandbox", "appleiap");
}

export async function loadOrCreateAppleSandboxKeys(dataDir: string): Promise<AppleSandboxKeys> {
  const dir = appleSandboxDir(dataDir);
  const files = {
    root: join(dir, "root.der"),
    intermediate: join(dir, "intermediate.der"),
    leaf: join(dir, "leaf.der"),
    leafKey: join(dir, "leaf-key.pem"),
    apiKey: join(dir, "AuthKey_SANDBOXKEY.p8"),
  };
  if (!Object.values(files).every((file) => existsSync(file))) {
    mkdirSync(dir, { recursive: true });
    const chain = await createAppleTestChain({ rootName: "CN=vk-pay sandbox Apple root — never trust in production, O=vk-pay sandbox, C=CN" });
    writeFileSync(files.root, chain.root.certDer);
    writeFileSync(files.intermediate, chain.intermediateDer);
    writeFileSync(files.leaf, chain.leafDer);
    writeSecretFile(files.leafKey, chain.leafPrivateKey.export({ type: "pkcs8", format: "pem" }).toString());
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeSecretFile(files.apiKey, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  }
  const apiPrivate = createPrivateKey(readFileSync(files.apiKey));
  return {
    chain: {
      root: { certDer: readFileSync(files.root) },
      intermediateDer: readFileSync(files.intermediate),
      leafDer: readFileSync(files.leaf),
      leafPrivateKey: createPrivateKey(readFileSync(files.leafKey)),
    },
    rootPath: files.root,
    apiKeyPath: files.apiKey,
    apiPublicKey: createPublicKey(apiPrivate),
  };
}
