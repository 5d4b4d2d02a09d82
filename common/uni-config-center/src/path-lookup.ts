/** `a.b[0].c` → `["a", "b", "0", "c"]`; brackets and dots may be mixed as in lodash paths. */
export function splitPath(path: string): string[] {
  const segments: string[] = [];
  for (const part of path.split(".")) {
    for (const piece of part.split(/\[([^\]]*)\]/)) {
      if (piece !== "") segments.push(piece);
    }
  }
  return segments;
}

/** Own properties only, so `config("constructor")` or `config("toString")` read as absent. */
export function lookupPath(root: unknown, path: string | number, fallback?: unknown): unknown {
  const segments = typeof path === "number" ? [String(path)] : splitPath(path);
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || typeof current !== "object" || !Object.prototype.hasOwnProperty.call(current, segment)) {
      return fallback;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
