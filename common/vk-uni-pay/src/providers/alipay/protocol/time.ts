const BEIJING_OFFSET_MS = 8 * 3600_000;
const ALIPAY_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `2026-01-15 12:00:01` (Beijing, no zone given) → ms; undefined for anything else. */
export function parseAlipayTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = ALIPAY_TIME.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - BEIJING_OFFSET_MS;
  return Number.isFinite(ms) ? ms : undefined;
}
