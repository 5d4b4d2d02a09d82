import { describeClient, describeCloud } from "./context";
import { currentInvocation } from "./invocation";

/** The parts of the emulator the global `uniCloud` object delegates to. */
export interface UniCloudBackend {
  database(): unknown;
  request(url: string, options?: Record<string, unknown>): Promise<unknown>;
  callFunction(name: string, data: unknown): Promise<{ result: unknown; requestId: string }>;
  log(level: string, args: unknown[]): void;
}

export type UniCloudGlobal = ReturnType<typeof createUniCloudGlobal>;

/** The global `uniCloud` a cloud function sees, backed by the emulator. */
export function createUniCloudGlobal(backend: UniCloudBackend) {
  const log =
    (level: string) =>
    (...args: unknown[]) =>
      backend.log(level, args);
  return {
    database: () => backend.database(),
    httpclient: {
      request: (url: string, options?: Record<string, unknown>) => backend.request(url, options),
    },
    async callFunction(options: { name?: unknown; data?: unknown }) {
      if (typeof options?.name !== "string" || !options.name) throw new TypeError("callFunction: name is required");
      return backend.callFunction(options.name, options.data ?? {});
    },
    getRequestList: () => {
      const context = currentInvocation.getStore();
      return context ? [context.requestId] : [];
    },
    getClientInfos: () => {
      const context = currentInvocation.getStore();
      return context ? [describeClient(context)] : [];
    },
    getCloudInfos: () => {
      const context = currentInvocation.getStore();
      return context ? [describeCloud(context)] : [];
    },
    logger: { log: log("log"), info: log("info"), warn: log("warn"), error: log("error") },
  };
}
