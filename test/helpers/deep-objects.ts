/** `{ a: { a: … {} } }`, `depth` objects in all, built without recursion (as a JSON parser builds it). */
export function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let level = 1; level < depth; level += 1) {
    const child: Record<string, unknown> = {};
    node.a = child;
    node = child;
  }
  return root;
}
