/**
 * VK stamps `_add_time_str` in Beijing time (UTC+8, no daylight saving) whatever the host clock's zone:
 * Aliyun and Tencent run functions in UTC, so local-time formatting would be 8 hours off there.
 */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `yyyy-MM-dd hh:mm:ss` (VK's pattern; `hh` is the 24-hour clock). */
export function formatBeijingTime(epochMs: number): string {
  const shifted = new Date(epochMs + BEIJING_OFFSET_MS);
  const pad = (value: number) => String(value).padStart(2, "0");
  const date = `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
  const time = `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`;
  return `${date} ${time}`;
}
