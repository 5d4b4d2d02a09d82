/** uniCloud's integration response: the exact status, headers and body a provider expects. */
export interface IntegrationResponse {
  mpserverlessComposedResponse: true;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

export function textReply(statusCode: number, body: string, contentType = "text/plain; charset=utf-8"): IntegrationResponse {
  return { mpserverlessComposedResponse: true, statusCode, headers: { "content-type": contentType }, body };
}

export function jsonReply(statusCode: number, value: unknown): IntegrationResponse {
  return textReply(statusCode, JSON.stringify(value), "application/json; charset=utf-8");
}
