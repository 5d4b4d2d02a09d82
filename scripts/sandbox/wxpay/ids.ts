import { createHash, randomBytes, randomInt } from "node:crypto";
import { compactBeijing } from "./time";

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join("");

/** Shaped like WeChat's ids so that length checks in merchant code see realistic values. */
export const newPrepayId = (now: number) => `wx${compactBeijing(now)}${randomBytes(10).toString("hex")}`;
export const newTransactionId = (now: number) => `420000${digits(4)}${compactBeijing(now).slice(0, 8)}${digits(10)}`;
export const newRefundId = (now: number) => `5030${digits(4)}${compactBeijing(now).slice(0, 8)}${digits(13)}`;

/** A stable openid per app and payer label: the same sandbox user keeps one openid across runs. */
export function sandboxOpenid(appid: string, label = "payer"): string {
  return `o${createHash("sha256").update(`${appid}:${label}`).digest("base64url").slice(0, 27)}`;
}
