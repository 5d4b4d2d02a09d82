/**
 * Bounds on objects a client supplies (`data`, and in it `custom` and `other`), checked before anything
 * else sees them: JSON.stringify, the database codec, hooks and log lines all walk objects recursively, and
 * a 100,000-level object overflows the stack in each. The check itself is iterative, so no shape can
 * overflow it, and it stops at the first limit crossed, so a huge object costs no more than the limit.
 */

/** Levels of nesting, the outer object being 1. A cart of items with options is 4 or 5; 32 is beyond any shop. */
export const MAX_INPUT_DEPTH = 32;
/** Serialised size. A shop's custom data is a few hundred bytes; 64 KB is far beyond that, and far below the 1 MB body cap. */
export const MAX_INPUT_BYTES = 64 * 1024;
/** Keys and array elements, counted over the whole object: an order's data is dozens, 1000 is beyond any shop. */
export const MAX_INPUT_KEYS = 1000;

export type InputBoundsReason = "data-too-deep" | "data-too-large" | "data-too-many-keys";

export interface InputBoundsProblem {
  reason: InputBoundsReason;
  /** For the user, in the seed's language. */
  message: string;
}

/** JSON's own size of a leaf value, near enough (escapes are not counted; the limit is generous). */
function leafBytes(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8") + 2;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value).length;
  return 4;
}

/**
 * Why `value` is out of bounds, or undefined when it is within them. `name` says in the message what was
 * refused (`data`, `custom`, `other`).
 */
export function checkInputBounds(value: unknown, name: string): InputBoundsProblem | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const pending: Array<{ node: object; depth: number }> = [{ node: value, depth: 1 }];
  let keys = 0;
  let bytes = 0;
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (depth > MAX_INPUT_DEPTH) return { reason: "data-too-deep", message: `${name} 嵌套过深（最多 ${MAX_INPUT_DEPTH} 层）` };
    const entries = Array.isArray(node) ? node.map((child, index) => [String(index), child] as const) : Object.entries(node);
    keys += entries.length;
    if (keys > MAX_INPUT_KEYS) return { reason: "data-too-many-keys", message: `${name} 的字段过多（最多 ${MAX_INPUT_KEYS} 个）` };
    bytes += 2 + entries.length;
    for (const [key, child] of entries) {
      if (!Array.isArray(node)) bytes += Buffer.byteLength(key, "utf8") + 3;
      if (typeof child === "object" && child !== null) pending.push({ node: child, depth: depth + 1 });
      else bytes += leafBytes(child);
    }
    if (bytes > MAX_INPUT_BYTES) return { reason: "data-too-large", message: `${name} 过大（最多 ${MAX_INPUT_BYTES / 1024} KB）` };
  }
  return undefined;
}
