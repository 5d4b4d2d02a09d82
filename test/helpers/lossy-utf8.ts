/**
 * Bodies carrying an invalid UTF-8 byte, for the attack where a signature is computed over the text a lossy
 * decoder reads (the byte becomes U+FFFD) rather than over the bytes sent.
 */

/** `text` as bytes, each U+FFFD replaced by the single invalid byte 0xFF that a lossy decoder reads back as `text`. */
export function withInvalidByte(text: string): Buffer {
  if (!text.includes("\uFFFD")) throw new Error("the text must carry U+FFFD where the invalid byte goes");
  const parts = text.split("\uFFFD").map((part) => Buffer.from(part, "utf8"));
  const bytes = Buffer.concat(parts.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from([0xff]), part])));
  if (bytes.toString("utf8") !== text) throw new Error("lossy decoding must give the signed text back");
  return bytes;
}

/**
 * The two ways such bytes reach a URL化 function: base64 (uniCloud hands over non-text content types that
 * way) and already decoded as text, lossily (as the emulator and Aliyun decode text content types).
 */
export const ARRIVALS = ["base64-encoded", "decoded lossily to text"] as const;
export type Arrival = (typeof ARRIVALS)[number];

export function arrive(bytes: Buffer, how: Arrival): { body: string; isBase64Encoded: boolean } {
  return how === "base64-encoded" ? { body: bytes.toString("base64"), isBase64Encoded: true } : { body: bytes.toString("utf8"), isBase64Encoded: false };
}

export function arrivalsOf(bytes: Buffer): Array<[Arrival, { body: string; isBase64Encoded: boolean }]> {
  return ARRIVALS.map((how) => [how, arrive(bytes, how)]);
}
