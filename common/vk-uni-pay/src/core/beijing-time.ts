const BEIJING_OFFSET_MS = 8 * 3600_000;

/** `yyyyMMddHHmmss` in Beijing time (vk-uni-pay's `time_end`), whatever the cloud's time zone. */
export function formatTimeEnd(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}
