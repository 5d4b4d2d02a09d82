import type { ProviderRuntime } from "../kernel/contract";

interface HttpClient {
  request(url: string, options: Record<string, unknown>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; data: unknown }>;
}

/** Providers reach the network through uniCloud's httpclient (urllib), raw bytes in and out. */
export function cloudRuntime(now: () => number = Date.now): ProviderRuntime {
  return {
    now,
    async request(url, options) {
      const client = (globalThis as { uniCloud?: { httpclient?: HttpClient } }).uniCloud?.httpclient;
      if (!client) throw new Error("uniCloud.httpclient is not available");
      const response = await client.request(url, { timeout: 10_000, ...options, dataType: "" });
      const data = Buffer.isBuffer(response.data)
        ? response.data
        : Buffer.from(typeof response.data === "string" ? response.data : JSON.stringify(response.data ?? ""));
      return { status: response.status, headers: response.headers, data };
    },
  };
}
