/**
 * A callback's own timestamp as the log's signing time. Douyin's pages and samples differ on seconds
 * versus milliseconds (see trade/sign.ts), so both lengths are read; anything else says nothing.
 */
export function douyinSignedAt(timestamp: unknown): number | undefined {
  const text = typeof timestamp === "number" ? String(timestamp) : timestamp;
  if (typeof text !== "string") return undefined;
  if (/^[0-9]{10}$/.test(text)) return Number(text) * 1000;
  if (/^[0-9]{13}$/.test(text)) return Number(text);
  return undefined;
}
