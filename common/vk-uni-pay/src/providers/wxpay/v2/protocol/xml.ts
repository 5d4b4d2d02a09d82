import type { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { SignatureError } from "../../../../core/errors";

/**
 * WeChat Pay API v2's wire format: one flat XML element (`<xml>` for calls and notifications, `<root>`
 * inside a refund notification's `req_info`) whose children are the parameters.
 *
 * A body carrying a DOCTYPE or an ENTITY declaration is refused before any parsing: WeChat never sends
 * one, and a DTD is how XXE and entity-expansion attacks start. Without a DTD only XML's five predefined
 * escapes remain, which are ordinary text. Every value is read as a string (no number coercion: `0012`
 * and `1e3` stay what was signed), and any structure beyond one flat level, a repeated field or a
 * non-whitespace text node is refused rather than guessed at: the signature covers fields by name, so
 * an ambiguous document must not be read at all.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2 (protocol rules: XML, UTF-8)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=23_5 (XXE security notice)
 */

export type V2Fields = Record<string, string>;

/** The largest body read; WeChat's documents are a few KB (refund notifications with many coupons included). */
export const MAX_XML_BYTES = 64 * 1024;

const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const UNSAFE_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The XML library, loaded on the first v2 call: v3-only merchants never pay for parsing it at a cold start
 * (the build ships it as `lib/fast-xml-parser.js` beside the bundle).
 */
let xml: { parser: XMLParser; builder: XMLBuilder; validator: typeof XMLValidator } | undefined;

function xmlLibrary(): NonNullable<typeof xml> {
  if (xml) return xml;
  const library = require("fast-xml-parser") as typeof import("fast-xml-parser");
  xml = {
    parser: new library.XMLParser({
      ignoreAttributes: true,
      parseTagValue: false,
      parseAttributeValue: false,
      // Predefined escapes only: a DTD that could declare more was refused above, and HTML entities are not XML.
      processEntities: true,
      htmlEntities: false,
      // Signatures cover values exactly as sent, spaces included.
      trimValues: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      commentPropName: false,
    }),
    builder: new library.XMLBuilder({ cdataPropName: "__cdata", processEntities: false, suppressEmptyNode: false, format: false }),
    validator: library.XMLValidator,
  };
  return xml;
}

function refuse(message: string): SignatureError {
  return new SignatureError("wxpay-v2-xml-invalid", message);
}

/**
 * Parses a v2 document into its fields, refusing anything that is not exactly one flat element named
 * `root` (`xml` by default).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2
 */
export function parseV2Xml(body: Buffer | string, root = "xml"): V2Fields {
  const text = Buffer.isBuffer(body) ? body.toString("utf8") : body;
  if (typeof text !== "string" || text.length === 0) throw refuse("XML body is empty");
  if (Buffer.byteLength(text, "utf8") > MAX_XML_BYTES) throw refuse("XML body is too large");
  if (DTD_PATTERN.test(text)) throw refuse("XML with a DOCTYPE or entity declaration is refused");
  if (xmlLibrary().validator.validate(text) !== true) throw refuse("XML is not well-formed");
  let document: unknown;
  try {
    document = xmlLibrary().parser.parse(text);
  } catch {
    throw refuse("XML cannot be parsed");
  }
  const roots = typeof document === "object" && document !== null ? Object.keys(document) : [];
  if (roots.length !== 1 || roots[0] !== root) throw refuse(`XML must have a single <${root}> element`);
  const element = (document as Record<string, unknown>)[root];
  // `<xml></xml>` parses to "" and `<xml>text</xml>` to "text": neither carries parameters.
  if (typeof element !== "object" || element === null || Array.isArray(element)) throw refuse(`<${root}> carries no fields`);
  const fields: V2Fields = {};
  for (const [name, value] of Object.entries(element as Record<string, unknown>)) {
    if (name === "#text") {
      if (typeof value === "string" && value.trim() === "") continue;
      throw refuse(`<${root}> contains stray text`);
    }
    if (!FIELD_NAME.test(name) || UNSAFE_NAMES.has(name)) throw refuse("XML field name is not acceptable");
    if (typeof value !== "string") throw refuse(`XML field ${name} is repeated or nested`);
    fields[name] = value;
  }
  return fields;
}

/**
 * Builds `<xml><k><![CDATA[v]]></k>…</xml>` from string fields (undefined ones skipped). CDATA keeps `&`
 * and `<` in values such as `attach` or `scene_info` verbatim; a `]]>` inside a value is split across
 * two sections by the builder, so no value can close its section early.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (request example)
 */
export function buildV2Xml(fields: Readonly<Record<string, string | undefined>>, root = "xml"): string {
  const element: Record<string, { __cdata: string }> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!FIELD_NAME.test(name) || UNSAFE_NAMES.has(name)) throw refuse(`field name ${name.slice(0, 64)} cannot be sent`);
    if (typeof value !== "string") throw refuse(`field ${name} must be a string`);
    element[name] = { __cdata: value };
  }
  return xmlLibrary().builder.build({ [root]: element }) as string;
}

/** Whether a body is v2's XML rather than v3's JSON: the first non-blank character decides. */
export function looksLikeV2Xml(body: Buffer | string | undefined): boolean {
  if (body === undefined) return false;
  const text = (Buffer.isBuffer(body) ? body.subarray(0, 64).toString("utf8") : body.slice(0, 64)).trimStart();
  return text.startsWith("<");
}
