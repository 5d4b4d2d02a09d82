import { join } from "node:path";
import { randomAlphanumeric, readTextFile, writeSecretFile } from "../pki/files";

/** The sandbox merchant: its number (the protocol's `pid`) and MD5 key, made once per data directory. */
export interface VkspaySandboxKeys {
  mchId: string;
  key: string;
}

export const VKSPAY_SANDBOX_MCHID = "1001";

export function loadOrCreateVkspaySandboxKeys(dataDir: string): VkspaySandboxKeys {
  const file = join(dataDir, "sandbox", "vkspay", "keys.json");
  const saved = readTextFile(file);
  if (saved) return JSON.parse(saved) as VkspaySandboxKeys;
  const keys = { mchId: VKSPAY_SANDBOX_MCHID, key: randomAlphanumeric(32) };
  writeSecretFile(file, JSON.stringify(keys));
  return keys;
}
