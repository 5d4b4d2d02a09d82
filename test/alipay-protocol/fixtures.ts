import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

/** Published Alipay test vectors copied under test/fixtures/alipay (origins in its README). */
const DIR = path.join(__dirname, "..", "fixtures", "alipay");

export function fixtureText(name: string): string {
  return readFileSync(path.join(DIR, name), "utf8");
}

export interface AlipayVectors {
  [id: string]: {
    publicKeyFile?: string;
    publicCertFile?: string;
    responseKey?: string;
    rawResponse?: string;
    expectedSignedString?: string;
    signedString?: string;
    sign?: string;
    postData?: Record<string, string>;
    queryString?: string;
  };
}

export const VECTORS = JSON.parse(fixtureText("vectors.json")) as AlipayVectors;

export function vector(id: string) {
  const v = VECTORS[id];
  if (!v) throw new Error(`missing vector ${id}`);
  return v;
}

/** The key that verifies a vector: its public key file or the key inside its public certificate. */
export function vectorKey(id: string): string {
  const v = vector(id);
  const file = v.publicKeyFile ?? v.publicCertFile;
  if (!file) throw new Error(`vector ${id} has no key`);
  return fixtureText(file);
}

export const YANSONGDA_APP_KEY_PKCS1 = () => fixtureText("yansongda__app_private_key_pkcs1.pem");

/** A fresh key pair for round trips (generated here, never a real merchant's). */
export function freshKeyPair(): { privatePkcs8: string; privatePkcs1: string; publicSpki: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    privatePkcs1: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicSpki: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** PEM → bare base64 body, the form Alipay's console hands out. */
export function bareBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
}

/** alipay-sdk's internal helpers (not exported from its index); loaded by path for interop tests only. */
export function alipaySdkUtil(): {
  sign(method: string, params: Record<string, unknown>, config: Record<string, unknown>, options?: Record<string, unknown>): Record<string, string>;
} {
  const main = require.resolve("alipay-sdk");
  return require(path.join(path.dirname(main), "util.js"));
}

export function alipaySdk(): {
  AlipaySdk: new (config: Record<string, unknown>) => {
    checkNotifySign(post: unknown, raw?: boolean): boolean;
    checkNotifySignV2(post: unknown): boolean;
    checkResponseSign(raw: string, key: string, sign: string, traceId: string): void;
    getSignStr(raw: string, key: string): string;
  };
} {
  return require("alipay-sdk");
}
