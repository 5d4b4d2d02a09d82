/**
 * Strict UTF-8. A signature is only worth what it covers: text decoded lossily (an invalid byte turned into
 * U+FFFD) is not the text that was sent, so a signature that matches it proves nothing about the bytes.
 */

const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text the bytes encode, or undefined when they are not valid UTF-8. */
export function decodeUtf8Strictly(bytes: Uint8Array): string | undefined {
  try {
    return STRICT.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Whether a string that a platform already decoded for us can be trusted to be the bytes sent: it must
 * encode back to itself (no lone surrogates) and carry no U+FFFD, the mark a lossy decoder leaves where an
 * invalid byte was. No payment platform sends U+FFFD in a notification; refusing it costs nothing real.
 */
export function isFaithfulText(text: string): boolean {
  if (text.includes("\uFFFD")) return false;
  return Buffer.from(text, "utf8").toString("utf8") === text;
}
