/**
 * Spies on a real database without changing what it does: every method call on the database and on the
 * builders it returns is logged, so tests can assert how many requests were made and with what limits.
 * The proxy wraps an empty target and forwards to the real object, so frozen objects and classes with
 * private fields behave exactly as they do unwrapped.
 */
export interface RecordedCall {
  method: string;
  args: unknown[];
}

export function recordCalls<T extends object>(real: T, log: RecordedCall[]): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const value = Reflect.get(real, key, real) as unknown;
      if (typeof value !== "function" || typeof key !== "string") return value;
      return (...args: unknown[]) => {
        log.push({ method: key, args });
        const result = Reflect.apply(value as (...a: unknown[]) => unknown, real, args);
        const isBuilder = result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then !== "function";
        return isBuilder ? recordCalls(result as object, log) : result;
      };
    },
    has(_target, key) {
      return Reflect.has(real, key);
    },
  });
}

/** The calls that send a request to the database. */
export function requestsIn(log: RecordedCall[]): string[] {
  const sending = new Set(["get", "count", "update", "remove", "add", "set", "updateAndReturn", "end"]);
  return log.filter((call) => sending.has(call.method)).map((call) => call.method);
}
