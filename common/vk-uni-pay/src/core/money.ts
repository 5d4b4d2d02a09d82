import { ValidationError } from "./errors";

/** Amounts are integer fen everywhere inside; the largest accepted is ¥100,000,000 (a guard, not a business rule). */
export const MAX_FEN = 10_000_000_000;

export function isFen(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 && value <= MAX_FEN;
}

/** 1234 → "12.34": formatting by integer arithmetic, never by floating point. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new ValidationError(1003, "amount-invalid", `金额必须是非负整数分，收到 ${fen}`);
  const yuan = Math.floor(fen / 100);
  const cents = fen % 100;
  return `${yuan}.${cents < 10 ? "0" : ""}${cents}`;
}

const YUAN_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/**
 * "12.3" → 1230: parsed as text so "0.07" is exactly 7 fen (0.07 * 100 in floating point is 7.000000000000001).
 * Anything that is not a plain non-negative decimal with at most two places is refused.
 */
export function yuanToFen(yuan: string): number {
  if (typeof yuan !== "string" || !YUAN_PATTERN.test(yuan)) throw new ValidationError(1003, "amount-invalid", `金额格式不正确：${String(yuan)}`);
  const [whole, fraction = ""] = yuan.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}
