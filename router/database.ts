/** The slice of uniCloud's database API the routes use, typed once for the whole router. */
export interface CloudDatabase {
  collection<T = Record<string, unknown>>(name: string): CloudCollection<T>;
}

export interface CloudCollection<T> {
  doc(id: string): { get(): Promise<{ data: T[] }> };
  where(query: Record<string, unknown>): { get(): Promise<{ data: T[] }> };
}

/** `uniCloud` is injected as a global by the runtime (the cloud, or the local emulator). */
export function database(): CloudDatabase {
  const runtime = (globalThis as { uniCloud?: { database(): CloudDatabase } }).uniCloud;
  if (!runtime) throw new Error("uniCloud runtime is not available");
  return runtime.database();
}
