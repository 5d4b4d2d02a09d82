import type { XMLParser } from "fast-xml-parser";
import { MessagePushError } from "./message-crypto";

/** A push's format: the body's own when it shows, JSON or XML as configured in the back office. */
export type PushFormat = "json" | "xml";

export function pushFormatOf(body: Buffer | string | undefined, fallback: PushFormat): PushFormat {
  const head = (Buffer.isBuffer(body) ? body.subarray(0, 64).toString("utf8") : (body ?? "").slice(0, 64)).trimStart().charAt(0);
  return head === "<" ? "xml" : head === "{" ? "json" : fallback;
}

const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;
let parser: XMLParser | undefined;

/** The XML library is loaded on the first XML push only (JSON merchants never pay for it at a cold start). */
function xmlParser(): XMLParser {
  if (parser) return parser;
  const library = require("fast-xml-parser") as typeof import("fast-xml-parser");
  parser = new library.XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true });
  return parser;
}

/** Reads a push (plain, or the decrypted message of a safe-mode push) into its fields. Nested XML elements become objects. */
export function parsePushMessage(text: string, format: PushFormat): Record<string, unknown> {
  let value: unknown;
  if (format === "json") {
    try {
      value = JSON.parse(text);
    } catch {
      throw new MessagePushError("message-malformed", "the push is not JSON");
    }
  } else {
    // WeChat never sends a DTD; one is how entity-expansion attacks start.
    if (DTD_PATTERN.test(text)) throw new MessagePushError("message-malformed", "the push carries a DTD");
    try {
      value = (xmlParser().parse(text) as { xml?: unknown }).xml;
    } catch {
      throw new MessagePushError("message-malformed", "the push is not XML");
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new MessagePushError("message-malformed", "the push is not an object");
  return value as Record<string, unknown>;
}

/** The Encrypt field of a safe-mode push body (JSON `{"Encrypt": …}` or XML `<xml><Encrypt>…</Encrypt></xml>`). */
export function encryptOf(body: string, format: PushFormat): string {
  const fields = parsePushMessage(body, format);
  if (typeof fields.Encrypt !== "string" || !fields.Encrypt) throw new MessagePushError("encrypt-missing", "the safe-mode push has no Encrypt");
  return fields.Encrypt;
}

/** The reply xpay counts as received (ErrCode 0), in the push's own format; anything else makes WeChat push again. */
export function pushReplyBody(accepted: boolean, format: PushFormat): string {
  const code = accepted ? 0 : 1;
  const message = accepted ? "success" : "fail";
  return format === "xml" ? `<xml><ErrCode>${code}</ErrCode><ErrMsg><![CDATA[${message}]]></ErrMsg></xml>` : JSON.stringify({ ErrCode: code, ErrMsg: message });
}
