import { evaluate } from "./aggregate-expressions";
import { resolvePath } from "./json-path";
import type { FieldTest, Predicate } from "./query-compiler";
import { compareValues, typeBracket, valuesEqual } from "./values";

/**
 * The exact, MongoDB-compatible decision whether a document matches. The SQL prefilter only narrows the
 * candidate rows; every candidate is re-checked here.
 */
export function matchesPredicate(document: unknown, predicate: Predicate): boolean {
  switch (predicate.kind) {
    case "all":
      return true;
    case "and":
      return predicate.children.every((child) => matchesPredicate(document, child));
    case "or":
      return predicate.children.some((child) => matchesPredicate(document, child));
    case "nor":
      return !predicate.children.some((child) => matchesPredicate(document, child));
    case "not":
      return !matchesPredicate(document, predicate.child);
    case "field":
      return matchesField(resolvePath(document, predicate.path), predicate.test);
    case "expr": {
      const value = evaluate(predicate.expression, document);
      return !(value === false || value === 0 || value === null || value === undefined);
    }
  }
}

/** A reached value plus, when it is an array, its elements: most operators match either. */
function expand(candidates: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const candidate of candidates) {
    out.push(candidate);
    if (Array.isArray(candidate)) out.push(...candidate);
  }
  return out;
}

function matchesEquality(candidates: unknown[], value: unknown): boolean {
  if (value instanceof RegExp) return expand(candidates).some((item) => typeof item === "string" && value.test(item));
  return expand(candidates).some((item) => valuesEqual(item, value));
}

function matchesField(candidates: unknown[], test: FieldTest): boolean {
  switch (test.op) {
    case "eq":
      return matchesEquality(candidates, test.value);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const bracket = typeBracket(test.value);
      return expand(candidates).some((item) => {
        if (typeBracket(item) !== bracket) return false;
        const order = compareValues(item, test.value);
        if (test.op === "gt") return order > 0;
        if (test.op === "gte") return order >= 0;
        if (test.op === "lt") return order < 0;
        return order <= 0;
      });
    }
    case "in":
      return test.values.some((value) => matchesEquality(candidates, value));
    case "exists":
      return candidates.some((item) => item !== undefined) === test.value;
    case "size":
      return candidates.some((item) => Array.isArray(item) && item.length === test.value);
    case "all":
      return test.values.length > 0 && test.values.every((value) => matchesEquality(candidates, value));
    case "elemMatch":
      return candidates.some((item) => Array.isArray(item) && item.some((element) => matchesPredicate(element, test.predicate)));
    case "mod":
      return expand(candidates).some((item) => typeof item === "number" && Math.trunc(item) % test.divisor === test.remainder);
    case "regex":
      return expand(candidates).some((item) => typeof item === "string" && test.regex.test(item));
  }
}
