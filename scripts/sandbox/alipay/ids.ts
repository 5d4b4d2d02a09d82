import { createHash, randomInt } from "node:crypto";
import { beijingDate } from "./time";

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join("");

/** Shaped like Alipay's: 28 digits starting with the Beijing date and `22001`. */
export const newTradeNo = (now: number) => `${beijingDate(now)}22001${digits(15)}`;
export const newNotifyId = (now: number) => `${beijingDate(now)}00222${digits(21)}`;

function stableDigits(seed: string, count: number): string {
  const hash = createHash("sha256").update(seed).digest();
  return Array.from(hash.subarray(0, count), (byte) => String(byte % 10)).join("");
}

/** A stable sandbox buyer per label: `user_id` 2088…, `open_id` per app (Alipay's app-scoped id), masked logon id. */
export function sandboxBuyer(appId: string, label = "buyer") {
  return {
    user_id: `2088${stableDigits(`user:${label}`, 12)}`,
    open_id: `0${createHash("sha256").update(`${appId}:${label}`).digest("base64url").slice(0, 45)}`,
    logon_id: `${label.slice(0, 3).padEnd(3, "x")}***@sandbox.vk-pay`,
  };
}
