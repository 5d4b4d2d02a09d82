/**
 * `/secapi/...` over mutual TLS. WeChat requires the merchant's API certificate (apiclient_cert, issued by
 * WeChat's CA, subject CN = the mch_id) on refunds and reversals; the sandbox serves those paths on its own
 * HTTPS port with a server certificate from the sandbox test root, trusts only that root for clients, and
 * checks that the certificate names the mch_id the request claims.
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (商户证书)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (申请退款: 请求需要双向证书)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { TLSSocket } from "node:tls";

/** Why the request may not use `/secapi` as `mchid`, or undefined when its client certificate is fine. */
export function clientCertificateProblem(req: IncomingMessage, mchid: string): string | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.encrypted) return "请使用HTTPS并携带商户API证书调用此接口";
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw) return "请求未携带商户API证书";
  // authorized is false for a self-signed certificate or one from any CA but the sandbox root (the only one trusted).
  if (!socket.authorized) return `商户API证书校验失败(${String(socket.authorizationError)})`;
  const names = [cert.subject?.CN, cert.subject?.OU].flat().filter((name): name is string => typeof name === "string");
  if (!names.includes(mchid)) return "商户API证书与商户号mch_id不匹配";
  return undefined;
}

export interface SecapiServer {
  server: Server;
  /** e.g. `https://127.0.0.1:8788` (no path). */
  origin: string;
  close(): Promise<void>;
}

/** An HTTPS server asking every client for a certificate; the handler decides per path what it needs. */
export async function startSecapiServer(options: {
  port: number;
  host?: string;
  certPem: string;
  keyPem: string;
  caCertPem: string;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}): Promise<SecapiServer> {
  const server = createServer(
    {
      cert: options.certPem,
      key: options.keyPem,
      ca: [options.caCertPem],
      requestCert: true,
      // Verified per request instead, so a missing or foreign certificate gets v2's XML refusal, not a dead handshake.
      rejectUnauthorized: false,
    },
    options.handle,
  );
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
