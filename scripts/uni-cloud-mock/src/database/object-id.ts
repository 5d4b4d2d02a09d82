import { randomBytes, randomInt } from "node:crypto";

/**
 * `_id`s shaped like MongoDB ObjectIds (what Aliyun returns): 4 bytes of seconds, 5 random bytes fixed per
 * process, a 3-byte counter; 24 lowercase hex characters. Aliyun's ids grow monotonically and code sorts by
 * `_id` to get insertion order, so this generator never goes backwards within a process, even when the
 * clock does or the counter wraps (it then borrows the next second).
 */
const processPart = randomBytes(5).toString("hex");
let lastSeconds = 0;
let counter = randomInt(0, 0x7fffff);

export function createObjectId(nowMs: number = Date.now()): string {
  const seconds = Math.max(Math.floor(nowMs / 1000), lastSeconds);
  if (seconds > lastSeconds) {
    lastSeconds = seconds;
  }
  counter += 1;
  if (counter > 0xffffff) {
    counter = 0;
    lastSeconds += 1;
  }
  return hex(lastSeconds, 8) + processPart + hex(counter, 6);
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, "0").slice(-width);
}
