import { faults } from "../faults/plan";
import type { PreparedRequest } from "./encode";
import { HttpClientError } from "./errors";
import { sendOnce, type RawResponse, type TransportLimits } from "./transport";
import type { HttpRequestOptions } from "./types";

/**
 * One hop, through the fault mode when the environment enables it (faults/plan.ts). Every fault fails the
 * way urllib fails, so the library's own handling is what is tested: `reset` before the request leaves;
 * `timeout`, `lost` and `5xx` after the platform received it and acted.
 */
export async function sendWithFaults(hop: PreparedRequest, options: HttpRequestOptions, limits: TransportLimits): Promise<RawResponse> {
  const fault = faults().httpFault();
  if (fault === "reset") throw new HttpClientError("RequestError", "socket hang up (fault mode: reset before sending)", { code: "ECONNRESET" });
  const raw = await sendOnce(hop, options, limits);
  switch (fault) {
    case "timeout":
      throw new HttpClientError("ResponseTimeoutError", `Response timeout for ${limits.responseTimeout}ms (fault mode: the platform acted, no answer came)`);
    case "lost":
      throw new HttpClientError("ResponseError", "read ECONNRESET (fault mode: the answer was lost after the platform acted)", {
        code: "ECONNRESET",
        status: raw.status,
      });
    case "5xx":
      return {
        ...raw,
        status: 503,
        statusMessage: "Service Unavailable",
        headers: { "content-type": "text/plain" },
        body: Buffer.from("fault mode: 503 after the platform acted"),
      };
    default:
      return raw;
  }
}
