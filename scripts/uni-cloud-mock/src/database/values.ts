/**
 * Value comparison with MongoDB's rules (uniCloud on Aliyun/Tencent is MongoDB underneath): equality is
 * type-strict except that all numbers compare by value; embedded documents compare field by field in
 * order; range operators only compare values of the same type bracket; sorting orders brackets as
 * null < numbers < strings < objects < arrays < booleans < dates < regular expressions.
 */

type Bracket = 1 | 2 | 3 | 4 | 5 | 8 | 9 | 11;

export function typeBracket(value: unknown): Bracket {
  if (value === null || value === undefined) return 1;
  if (typeof value === "number") return 2;
  if (typeof value === "string") return 3;
  if (typeof value === "boolean") return 8;
  if (value instanceof Date) return 9;
  if (value instanceof RegExp) return 11;
  if (Array.isArray(value)) return 5;
  return 4;
}

/**
 * Orders strings by code point, which is the UTF-8 byte order MongoDB and SQLite's BINARY collation use.
 * UTF-16 code-unit order differs only when a surrogate meets a unit in U+E000..U+FFFF, so the units are
 * compared directly and only that case is corrected (no per-call allocation; sorting calls this a lot).
 */
export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    let left = a.charCodeAt(index);
    let right = b.charCodeAt(index);
    if (left === right) continue;
    if (left >= 0xd800 && right >= 0xd800) {
      left = left <= 0xdfff ? left + 0x2000 : left - 0x800;
      right = right <= 0xdfff ? right + 0x2000 : right - 0x800;
    }
    return left < right ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Total order used by `orderBy` and by the range operators within one bracket. */
export function compareValues(a: unknown, b: unknown): number {
  const bracketA = typeBracket(a);
  const bracketB = typeBracket(b);
  if (bracketA !== bracketB) return bracketA < bracketB ? -1 : 1;
  switch (bracketA) {
    case 1:
      return 0;
    case 2:
      return Math.sign((a as number) - (b as number));
    case 3:
      return compareStrings(a as string, b as string);
    case 8:
      return a === b ? 0 : a ? 1 : -1;
    case 9:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 11:
      return compareStrings(String(a), String(b));
    case 5:
      return compareArrays(a as unknown[], b as unknown[]);
    case 4:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
  }
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const diff = compareValues(a[index], b[index]);
    if (diff !== 0) return diff;
  }
  return Math.sign(a.length - b.length);
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  const length = Math.min(keysA.length, keysB.length);
  for (let index = 0; index < length; index += 1) {
    const byValue = compareValues(a[keysA[index]], b[keysB[index]]);
    if (byValue !== 0) return byValue;
    const byKey = compareStrings(keysA[index], keysB[index]);
    if (byKey !== 0) return byKey;
  }
  return Math.sign(keysA.length - keysB.length);
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeBracket(a) !== typeBracket(b)) return false;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  return compareValues(a, b) === 0;
}
