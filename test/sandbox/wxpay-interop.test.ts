/**
 * The sandbox against an independent WeChat Pay v3 client, wechatpay-axios-plugin: it signs requests its
 * own way and refuses any response whose signature does not verify against the certificate it trusts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aes, Formatter, Rsa, Wechatpay } from "wechatpay-axios-plugin";
import { createWxpaySandbox, type WxpaySandbox } from "../../scripts/sandbox/wxpay";
import { newOrderNo } from "./helpers/wxpay-harness";

describe("WeChat sandbox with wechatpay-axios-plugin as the merchant", () => {
  let root: string;
  let sandbox: WxpaySandbox;
  let server: Server;
  let baseURL: string;
  const notifications: Array<{ headers: Record<string, string>; body: string }> = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "vk-pay-wxpay-interop-"));
    // The plugin signs the path of its baseURL too, so here the sandbox sits at the root of a bare server.
    sandbox = await createWxpaySandbox({
      dataDir: root,
      prefix: "",
      persist: false,
      refundAutoSettleMs: false,
      log: () => undefined,
      request: async (_url, init) => (notifications.push({ headers: init.headers, body: init.body }), { status: 204 }),
    });
    server = createServer((req, res) => void sandbox.handler(req, res, new URL(req.url ?? "/", "http://127.0.0.1")));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(root, { recursive: true, force: true });
  });

  const client = (trusted: Record<string, string>) =>
    new Wechatpay({
      mchid: sandbox.keys.mchId,
      serial: sandbox.keys.merchantSerial,
      privateKey: sandbox.keys.merchantPrivateKeyPem,
      certs: trusted,
      baseURL,
    } as never) as any;

  it("prepays, queries and downloads certificates, each reply verified by the plugin", async () => {
    const wxpay = client({ [sandbox.keys.platformSerial]: sandbox.keys.platformCertPem });
    const no = newOrderNo("I");
    const prepay = await wxpay.v3.pay.transactions.native.post({
      appid: sandbox.keys.appId,
      mchid: sandbox.keys.mchId,
      description: "互通测试",
      out_trade_no: no,
      notify_url: "https://example.com/notify",
      amount: { total: 1, currency: "CNY" },
    });
    expect(prepay.data.code_url).toContain(`/cashier?out_trade_no=${no}`);
    const query = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid: sandbox.keys.mchId }, out_trade_no: no });
    expect(query.data).toMatchObject({ out_trade_no: no, trade_state: "NOTPAY" });

    const certificates = await wxpay.v3.certificates.get();
    const { encrypt_certificate: encrypted } = certificates.data.data[0];
    const pem = Aes.AesGcm.decrypt(encrypted.ciphertext, sandbox.keys.v3Key, encrypted.nonce, encrypted.associated_data);
    expect(pem).toBe(sandbox.keys.platformCertPem);
  });

  it("is refused by the plugin when it trusts another certificate, and by the sandbox when the plugin signs with another key", async () => {
    const distrustful = client({ [sandbox.keys.platformSerial]: sandbox.keys.merchantCertPem });
    const body = {
      appid: sandbox.keys.appId,
      mchid: sandbox.keys.mchId,
      description: "互通测试",
      out_trade_no: newOrderNo("I"),
      notify_url: "https://example.com/notify",
      amount: { total: 1 },
    };
    // The request succeeds at the sandbox (the order exists afterwards); only the reply's signature fails.
    await expect(distrustful.v3.pay.transactions.native.post(body)).rejects.toThrow(/verif|signature|Wechatpay/i);
    expect(sandbox.state.order(sandbox.keys.mchId, body.out_trade_no)).toBeDefined();
    const wrongKey = new Wechatpay({
      mchid: sandbox.keys.mchId,
      serial: sandbox.keys.merchantSerial,
      privateKey: sandbox.keys.platformPrivateKeyPem,
      certs: { [sandbox.keys.platformSerial]: sandbox.keys.platformCertPem },
      baseURL,
    } as never) as any;
    await expect(wrongKey.v3.certificates.get()).rejects.toMatchObject({ response: { status: 401, data: { code: "SIGN_ERROR" } } });
  });

  it("sends a notification the plugin's Rsa and AesGcm accept", async () => {
    const wxpay = client({ [sandbox.keys.platformSerial]: sandbox.keys.platformCertPem });
    const no = newOrderNo("I");
    await wxpay.v3.pay.transactions.app.post({
      appid: sandbox.keys.appId,
      mchid: sandbox.keys.mchId,
      description: "互通测试",
      out_trade_no: no,
      notify_url: "https://example.com/notify",
      amount: { total: 2 },
    });
    const response = await fetch(`${baseURL}pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ out_trade_no: no }),
    });
    expect(response.status).toBe(200);
    await sandbox.idle();
    const { headers, body } = notifications[notifications.length - 1];
    const message = Formatter.response(headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body);
    expect(Rsa.verify(message, headers["Wechatpay-Signature"], Rsa.from(sandbox.keys.platformCertPem, Rsa.KEY_TYPE_PUBLIC))).toBe(true);
    const { resource } = JSON.parse(body);
    const transaction = JSON.parse(Aes.AesGcm.decrypt(resource.ciphertext, sandbox.keys.v3Key, resource.nonce, resource.associated_data));
    expect(transaction).toMatchObject({ out_trade_no: no, trade_state: "SUCCESS", trade_type: "APP", amount: { total: 2 } });
  });
});
