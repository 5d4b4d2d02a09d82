import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_STAND_INS_DIR } from "../../scripts/uni-cloud-mock/src/emulator";
import type { DatabaseReader } from "./fake-platform";

/**
 * What must never leave the server (SPEC §7, issue 20 item 6): merchant keys, v3Key, app secrets, private
 * keys, AppKeys, message-push tokens and AES keys, the notify key, uni-id's token secret, and the session
 * keys and access tokens the library stores. Each is named by where it was found, so a leak can be
 * reported without printing the secret.
 */
export interface Secret {
  where: string;
  value: string;
}

/** Config keys whose values are secrets; public keys, certificates, ids and paths are not. */
const SECRET_KEY =
  /^(key|v3key|mchkey|secret|appsecret|apikey|appkey|sandboxappkey|password|sharedsecret|token|encodingaeskey|salt|notifykey|privatekey|appprivatekey|tokensecret|clientsecret|client_secret)$/i;
const PRIVATE_KEY_FILE = /private.*(path|content)$|^(privatekeypath|keypath|appprivatekeypath)$/i;
const NOT_SECRET = /public|cert|serial|url|id$/i;
/** Long enough that finding it in output is no coincidence; short enough that a truncated dump still matches. */
const FRAGMENT = 32;

/** A private key's base64 body, cut into fragments: any one of them in the output is a leak. */
function keyFragments(where: string, pem: string): Secret[] {
  const body = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const fragments: Secret[] = [];
  for (let at = 0; at + FRAGMENT <= body.length; at += FRAGMENT)
    fragments.push({ where: `${where} (private key bytes ${at}…)`, value: body.slice(at, at + FRAGMENT) });
  return fragments;
}

/** Every secret a provider config object holds, by its path in the config. */
export function secretsOfConfig(config: unknown, root = "uni-pay"): Secret[] {
  const found: Secret[] = [];
  const walk = (value: unknown, path: string) => {
    if (!value || typeof value !== "object" || Buffer.isBuffer(value)) return;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const where = `${path}.${key}`;
      if (typeof item !== "string") {
        walk(item, where);
        continue;
      }
      if (item.includes("PRIVATE KEY")) found.push(...keyFragments(where, item));
      else if (PRIVATE_KEY_FILE.test(key) && !/public|cert/i.test(key) && existsSync(item)) {
        const text = readFileSync(item, "utf8");
        if (text.includes("PRIVATE KEY")) found.push(...keyFragments(where, text));
      } else if (SECRET_KEY.test(key) && !NOT_SECRET.test(key) && item.length >= 8) found.push({ where, value: item });
    }
  };
  walk(config, root);
  return found;
}

/** The secrets of a running local space: its uni-pay config as the function loads it, uni-id's, and the stored session keys and tokens. */
export async function secretsOfSpace(dataDir: string, db: DatabaseReader): Promise<Secret[]> {
  process.env.UNICLOUD_STAND_INS_DIR ??= DEFAULT_STAND_INS_DIR;
  const file = resolve(dataDir, "uni-config-center/uni-pay/config.js");
  delete require.cache[require.resolve(file)];
  const found = secretsOfConfig(require(file));
  const uniId = JSON.parse(readFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), "utf8")) as Record<string, unknown>;
  if (typeof uniId.tokenSecret === "string") found.push({ where: "uni-id.tokenSecret", value: uniId.tokenSecret });
  const stored: Array<[string, string]> = [
    ["vk-pay-wx-sessions", "session_key"],
    ["vk-pay-wx-access-tokens", "access_token"],
    ["vk-pay-douyin-tokens", "access_token"],
  ];
  for (const [collection, field] of stored) {
    const { data } = await db.collection(collection).where({}).get();
    for (const row of data) if (typeof row[field] === "string" && row[field].length >= 8) found.push({ where: `${collection}.${field}`, value: row[field] });
  }
  return found;
}

/** Where each secret that appears in `texts` was configured, never the secret itself. */
export function leaksIn(secrets: readonly Secret[], texts: readonly string[]): string[] {
  const all = texts.join("\n");
  return [...new Set(secrets.filter((secret) => all.includes(secret.value)).map((secret) => secret.where))];
}

/**
 * Everything a session lets out, recorded while it runs: every console line (the library logs through
 * console in the emulator's process) and every answer a client or a platform receives from the cloud
 * function (through fetch; the sandboxes' own answers to the library are the platforms' to give).
 */
export function recordOutput(): { texts: string[]; record(text: string): void; stop(): void } {
  const texts: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const spies = methods.map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      texts.push(args.map((arg) => (typeof arg === "string" ? arg : arg instanceof Error ? `${arg.message}\n${arg.stack}` : safeJson(arg))).join(" "));
    }),
  );
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const response = await realFetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes("/__sandbox/")) texts.push(`${url} → ${response.status} ${await response.clone().text()}`);
    return response;
  };
  return {
    texts,
    record: (text) => texts.push(text),
    stop() {
      for (const spy of spies) spy.mockRestore();
      globalThis.fetch = realFetch;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
