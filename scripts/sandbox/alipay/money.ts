/**
 * Alipay amounts are yuan strings with at most two decimals (`0.01` to `100000000`); the sandbox keeps
 * fen as integers and converts by string, never through floating point.
 */
const YUAN = /^(0|[1-9]\d{0,8})(?:\.(\d{1,2}))?$/;

export const MAX_FEN = 100_000_000 * 100;

/** Fen of a yuan string, or undefined when Alipay would refuse the format. Zero is returned as 0. */
export function parseYuan(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = YUAN.exec(text);
  if (!match) return undefined;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return fen <= MAX_FEN ? fen : undefined;
}

/** `1234` → `"12.34"`: Alipay always answers with two decimals. */
export function formatYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}
