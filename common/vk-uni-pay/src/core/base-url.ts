import { ConfigError } from "./errors";

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i;

function checked(url: unknown, where: string): string {
  if (typeof url !== "string" || !URL_PATTERN.test(url)) throw new ConfigError("config-invalid", `${where} 必须是 http(s) 地址`);
  return url.replace(/\/+$/, "");
}

/**
 * A sub-config's `baseUrl` (SPEC §4): a string replaces every official host of the provider, an object
 * replaces the hosts it names. The returned function gives the origin (plus path prefix) to send a
 * request for an official host to; signatures keep covering the official path only.
 */
export function readBaseUrl(value: unknown, officialHosts: readonly string[], where = "baseUrl"): (host: string) => string {
  if (value === undefined || value === null || value === "") return (host) => `https://${host}`;
  if (typeof value === "string") {
    const base = checked(value, where);
    return (host) => (officialHosts.includes(host) ? base : `https://${host}`);
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    const table = new Map<string, string>();
    for (const [host, url] of Object.entries(value as Record<string, unknown>)) table.set(host, checked(url, `${where}["${host}"]`));
    return (host) => table.get(host) ?? `https://${host}`;
  }
  throw new ConfigError("config-invalid", `${where} 必须是字符串或以官方域名为键的对象`);
}
