/** A JSON-like plain object: what config files hold. Class instances and arrays are values, not trees. */
export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Copies plain objects and arrays so a merge or a caller can never write into a shared default. */
export function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => clonePlain(item)) as T;
  if (!isPlainObject(value)) return value;
  const copy: PlainObject = {};
  for (const [key, item] of Object.entries(value)) {
    // JSON.parse keeps "__proto__" as an own key; assigning it would swap the copy's prototype.
    if (key !== "__proto__") copy[key] = clonePlain(item);
  }
  return copy as T;
}

/**
 * User values win; plain objects merge key by key, everything else (arrays included) replaces the
 * default whole, because a user listing two payment channels must not inherit a third by index.
 * A user value that is not a plain object (a top-level array, as in uni-id's multi-app config)
 * is returned as it is.
 */
export function deepMerge(defaults: unknown, user: unknown): unknown {
  if (user === undefined) return clonePlain(defaults);
  if (!isPlainObject(user) || !isPlainObject(defaults)) return clonePlain(user);
  const merged: PlainObject = clonePlain(defaults);
  for (const [key, value] of Object.entries(user)) {
    if (key === "__proto__") continue;
    merged[key] = deepMerge(merged[key], value);
  }
  return merged;
}
