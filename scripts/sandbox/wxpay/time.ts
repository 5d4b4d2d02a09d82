/** Dates as WeChat writes them: RFC 3339 in Beijing time, e.g. `2018-06-08T10:34:56+08:00`. */
export function formatRfc3339(ms: number): string {
  const beijing = new Date(ms + 8 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${beijing.getUTCFullYear()}-${pad(beijing.getUTCMonth() + 1)}-${pad(beijing.getUTCDate())}T${pad(beijing.getUTCHours())}:${pad(beijing.getUTCMinutes())}:${pad(beijing.getUTCSeconds())}+08:00`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 timestamp, or undefined when WeChat would refuse the format. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `yyyyMMddHHmmss` in Beijing time: the date part of WeChat's ids. */
export function compactBeijing(ms: number): string {
  return formatRfc3339(ms).slice(0, 19).replace(/[-T:]/g, "");
}
