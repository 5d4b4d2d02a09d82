import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Writes a secret file readable by its owner only; a rename makes it appear whole or not at all. */
export function writeSecretFile(file: string, contents: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, contents, { mode: 0o600 });
  renameSync(temporary, file);
}

export function readTextFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

/**
 * A positive certificate serial in uppercase hex, as WeChat shows merchant serials (40 hex digits). The
 * first nibble is kept between 1 and 7 so DER needs no sign byte and no leading zero is dropped, which
 * would make the serial read back differently from what was configured.
 */
export function randomSerial(bytes = 20): string {
  const raw = randomBytes(bytes);
  raw[0] = (raw[0] & 0x6f) | 0x10;
  return raw.toString("hex").toUpperCase();
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random letters and digits: the APIv3 key and the v2 key are 32 such characters in the merchant platform. */
export function randomAlphanumeric(length: number): string {
  const out: string[] = [];
  // Rejection sampling keeps the distribution uniform over 62 symbols.
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out.push(ALPHANUMERIC[byte % 62]);
    }
  }
  return out.join("");
}
