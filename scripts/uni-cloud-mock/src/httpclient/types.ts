import type { Agent as HttpAgent, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";

/** `dataType` as urllib 2 reads it: `"json"` parses, `"text"` decodes, anything else keeps the raw Buffer. */
export type ResponseDataType = "json" | "text" | "buffer" | "";

/** The subset of urllib 2.x request options that payment code uses (uniCloud's httpclient is urllib 2). */
export interface HttpRequestOptions {
  /** GET (default), POST, PUT, DELETE, HEAD, PATCH, OPTIONS; case-insensitive. */
  method?: string;
  /** urllib's older alias of `method`. */
  type?: string;
  /**
   * Query string for GET/HEAD (and whenever `dataAsQueryString`); otherwise the body, form-encoded unless the
   * content type is JSON. A string or Buffer is used as it is.
   */
  data?: Record<string, unknown> | string | Buffer;
  dataAsQueryString?: boolean;
  /** The raw body; when set, `data` is ignored. */
  content?: string | Buffer | Uint8Array;
  /** `"json"` means `application/json`; any other value is used as the Content-Type header. */
  contentType?: string;
  dataType?: ResponseDataType;
  headers?: OutgoingHttpHeaders;
  /** Milliseconds, or `[connect, response]`; 5000 by default, as urllib. */
  timeout?: number | [number, number];
  followRedirect?: boolean;
  maxRedirects?: number;
  /** Bytes; the emulator's own guard (urllib has none), 10 MB by default. */
  maxResponseSize?: number;
  /** Basic authentication, `"user:password"`. */
  auth?: string;
  /** Custom DNS lookup (urllib passes it to the socket); its time counts against the connect timeout. */
  lookup?: LookupFunction;
  agent?: HttpAgent | false;
  httpsAgent?: HttpsAgent | false;
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer | Array<string | Buffer>;
  key?: string | Buffer | Array<string | Buffer>;
  pfx?: string | Buffer | Array<string | Buffer>;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  ciphers?: string;
  secureProtocol?: string;
  servername?: string;
}

/** urllib's `res`: a plain summary of the final response, not the stream. */
export interface HttpResponseMeta {
  status: number;
  statusCode: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  /** Bytes received for the final response body. */
  size: number;
  aborted: boolean;
  /** Milliseconds from the first request to the final response, redirects included. */
  rt: number;
  keepAliveSocket: boolean;
  /** The first URL and every redirect target followed. */
  requestUrls: string[];
  remoteAddress: string;
  remotePort: number;
}

export interface HttpResponse<T = unknown> {
  data: T;
  status: number;
  headers: IncomingHttpHeaders;
  res: HttpResponseMeta;
}
