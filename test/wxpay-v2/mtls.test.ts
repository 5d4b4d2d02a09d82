import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hash, Transformer } from "wechatpay-axios-plugin";
import { NetworkError } from "../../common/vk-uni-pay/src/core/errors";
import { cloudRuntime } from "../../common/vk-uni-pay/src/core/runtime";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { generateRsaKeyPair, issueCertificate, loadOrCreateTestCa, type TestCa } from "../../scripts/sandbox/pki/test-ca";
import { httpclient } from "../../scripts/uni-cloud-mock/src/httpclient";
import { API_KEY, CLIENT_CERT_PATH, FIXTURES, v2Config } from "./fake-wechat-v2";

/**
 * The refund's client certificate on a real TLS connection: through core/runtime.ts's cloudRuntime and the
 * emulator's `uniCloud.httpclient` (urllib-style `cert`/`key`/`pfx`/`passphrase`/`ca`) to node's https,
 * against a local server that requests a client certificate and answers like /secapi/pay/refund.
 */

describe("v2 refund over real mutual TLS (emulator httpclient)", () => {
  let dir: string;
  let ca: TestCa;
  let server: Server;
  let base: string;
  const presented: Array<string | undefined> = [];
  const provider = createWxpayProvider({
    database: () => {
      throw new Error("unused");
    },
    log: () => undefined,
  });
  const ourFingerprint = new X509Certificate(readFileSync(CLIENT_CERT_PATH)).fingerprint256;
  const previous = (globalThis as { uniCloud?: unknown }).uniCloud;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wxpay-v2-mtls-"));
    ca = await loadOrCreateTestCa(dir);
    const keys = await generateRsaKeyPair();
    const now = Date.now();
    const cert = await issueCertificate(ca, {
      serial: "0A01",
      subject: "CN=127.0.0.1",
      notBefore: new Date(now - 86400_000),
      notAfter: new Date(now + 86400_000),
      publicKeyPem: keys.publicKeyPem,
      serverNames: { ip: ["127.0.0.1"] },
    });
    // Client certificates are checked by fingerprint below, so the server asks for one without a CA list.
    server = createServer({ key: keys.privateKeyPem, cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate?.();
      presented.push(peer?.fingerprint256);
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const fields = Transformer.toObject(body) as Record<string, string>;
        const ok = peer?.fingerprint256 === ourFingerprint && Hash.equals(Hash.sign("MD5", fields, API_KEY), fields.sign);
        const answer: Record<string, string> = ok
          ? {
              return_code: "SUCCESS",
              appid: fields.appid!,
              mch_id: fields.mch_id!,
              nonce_str: "n",
              result_code: "SUCCESS",
              out_trade_no: fields.out_trade_no!,
              out_refund_no: fields.out_refund_no!,
              refund_id: "50000000001",
              refund_fee: fields.refund_fee!,
              total_fee: fields.total_fee!,
            }
          : { return_code: "FAIL", return_msg: "证书校验失败" };
        if (ok) answer.sign = Hash.sign("MD5", answer, API_KEY);
        res.writeHead(200, { "content-type": "text/xml" }).end(Transformer.toXml(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    (globalThis as { uniCloud?: unknown }).uniCloud = { httpclient };
  });
  afterAll(async () => {
    (globalThis as { uniCloud?: unknown }).uniCloud = previous;
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => presented.splice(0));

  const refund = (config: Record<string, unknown>) =>
    provider.refund(
      { mode: "mp-weixin", config, outTradeNo: "T1", outRefundNo: "R1", totalFee: 100, refundFee: 40, notifyUrl: "https://example.test/n" },
      cloudRuntime(),
    );

  it("presents the PEM client certificate and trusts the server through secapiCaContent", async () => {
    const status = await refund(v2Config({ baseUrl: base, secapiBaseUrl: base, secapiCaContent: ca.certPem }));
    expect(presented).toEqual([ourFingerprint]);
    expect(status).toMatchObject({ state: "PROCESSING", outRefundNo: "R1", refundFee: 40 });
  });

  it("presents the certificate from a pfx too", async () => {
    const pfx = readFileSync(join(FIXTURES, "client_aes.p12"));
    await refund(v2Config({ baseUrl: base, secapiBaseUrl: base, secapiCaContent: ca.certPem, appCertPath: undefined, appPrivateKeyPath: undefined, pfx }));
    expect(presented).toEqual([ourFingerprint]);
  });

  it("does not trust the server's test root unless configured", async () => {
    await expect(refund(v2Config({ baseUrl: base, secapiBaseUrl: base }))).rejects.toBeInstanceOf(NetworkError);
    expect(presented).toEqual([]);
  });
});
