/**
 * Alipay's times: `yyyy-MM-dd HH:mm:ss` in Beijing time (GMT+8), for the `timestamp` parameter,
 * `time_expire`, `gmt_*` fields and `notify_time`.
 * @see https://opendocs.alipay.com/common/02kg67 (公共请求参数 timestamp)
 */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function formatBeijing(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** Epoch ms of a Beijing `yyyy-MM-dd HH:mm:ss`, or undefined when the text is not a real date in that format. */
export function parseBeijing(text: string): number | undefined {
  const match = FORMAT.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - BEIJING_OFFSET_MS;
  // Date.UTC rolls 2024-02-30 over into March; Alipay refuses such dates.
  return formatBeijing(ms) === text ? ms : undefined;
}

/** `yyyyMMdd` in Beijing time: the date part of Alipay's ids. */
export const beijingDate = (ms: number) => formatBeijing(ms).slice(0, 10).replace(/-/g, "");

/**
 * `timeout_express`: `Nm`, `Nh`, `Nd`, or `1c` (until the end of the Beijing day); undefined when invalid.
 * @see https://opendocs.alipay.com/open/02ekfg (统一收单线下交易预创建 timeout_express)
 */
export function parseTimeoutExpress(text: string, from: number): number | undefined {
  const match = /^(\d{1,5})([mhdc])$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (amount < 1) return undefined;
  if (match[2] === "c") {
    if (amount !== 1) return undefined;
    return parseBeijing(`${formatBeijing(from).slice(0, 10)} 23:59:59`)! + 999;
  }
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
  return from + amount * unit;
}
