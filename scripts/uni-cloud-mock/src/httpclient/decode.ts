import type { IncomingHttpHeaders } from "node:http";
import { HttpClientError } from "./errors";
import type { ResponseDataType } from "./types";

/**
 * Decodes text in the charset the server declares, as urllib does through iconv: some gateways (Alipay with
 * `charset=GBK`) still answer in GBK. Unknown labels fall back to UTF-8.
 */
export function decodeText(body: Buffer, headers: IncomingHttpHeaders): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(headers["content-type"] ?? "");
  const label = match ? match[1] : "utf-8";
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}

/** urllib's message for an unparsable JSON body: the parser's reason plus an excerpt of what arrived. */
function describeBadJson(reason: string, text: string): string {
  const excerpt =
    text.length > 1024
      ? `${JSON.stringify(text.slice(0, 512))} ...skip ${text.length - 1024} chars... ${JSON.stringify(text.slice(-512))}`
      : JSON.stringify(text);
  return `${reason} (data json format: ${excerpt})`;
}

/** Turns the received bytes into `data` for the requested `dataType`. */
export function decodeBody(body: Buffer, headers: IncomingHttpHeaders, dataType: ResponseDataType | undefined): unknown {
  if (dataType !== "json" && dataType !== "text") return body;
  const text = decodeText(body, headers);
  if (dataType === "text") return text;
  // urllib: an empty body (204, HEAD) is `null`, not a parse error.
  if (body.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpClientError("JSONResponseFormatError", describeBadJson(reason, text), { data: text, cause: error });
  }
}
