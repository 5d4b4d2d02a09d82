/**
 * Platform certificate rotation: after `rotate-platform-certificate`, responses and notifications carry a
 * new serial and verify only with the new certificate, `/v3/certificates` lists old and new for the switch
 * period, and `retire-platform-certificate` ends it. State survives a restart.
 */
import { X509Certificate, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { decryptResource, verifyWechatpaySignature } from "./helpers/wxpay-merchant";

describe("WeChat Pay sandbox: platform certificate rotation", () => {
  let dataDir: string;
  let h: Harness;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-rotation-"));
    h = await startHarness({ dataDir });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** What a merchant does: download, decrypt and index the platform certificates by serial. */
  async function downloadCertificates(harness: Harness): Promise<{ serials: string[]; keys: Record<string, KeyObject> }> {
    const reply = await harness.api("GET", "/v3/certificates");
    expect(reply.status).toBe(200);
    const keys: Record<string, KeyObject> = {};
    const serials: string[] = [];
    for (const entry of reply.json.data) {
      const cert = new X509Certificate(decryptResource(entry.encrypt_certificate, harness.sandbox.keys.v3Key));
      expect(cert.serialNumber.toUpperCase()).toBe(entry.serial_no);
      expect(cert.checkIssued(new X509Certificate(harness.sandbox.keys.caCertPem))).toBe(true);
      serials.push(entry.serial_no);
      keys[entry.serial_no] = cert.publicKey;
    }
    return { serials, keys };
  }

  it("rotates: both listed, the new one signs responses and notifications, the old one is retired on demand", async () => {
    const original = h.sandbox.keys.platformSerial;
    const before = await downloadCertificates(h);
    expect(before.serials).toEqual([original]);

    const rotated = await h.control("rotate-platform-certificate");
    expect(rotated.json).toMatchObject({ ok: true, previous_serial_no: original });
    const fresh: string = rotated.json.serial_no;
    expect(fresh).toMatch(/^[0-9A-F]{40}$/);
    expect(fresh).not.toBe(original);

    const during = await downloadCertificates(h);
    expect(during.serials).toEqual([fresh, original]);

    // A response now names the new serial and verifies with the new key only.
    const no = newOrderNo();
    const prepay = await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no));
    expect(prepay.headers.get("wechatpay-serial")).toBe(fresh);
    expect(verifyWechatpaySignature(prepay.headers, prepay.text, during.keys)).toBe(true);
    expect(verifyWechatpaySignature(prepay.headers, prepay.text, { [fresh]: before.keys[original] })).toBe(false);

    await h.control("pay", { out_trade_no: no });
    const [notification] = await h.receiver.waitFor(1);
    expect(notification.headers["wechatpay-serial"]).toBe(fresh);
    expect(verifyWechatpaySignature(notification.headers as Record<string, string>, notification.body, during.keys)).toBe(true);

    // The current certificate cannot be retired; the old one can, and then only the new one is listed.
    expect((await h.control("retire-platform-certificate", { serial_no: fresh })).status).toBe(409);
    const retired = await h.control("retire-platform-certificate", {});
    expect(retired.json).toMatchObject({ ok: true, retired: [original], listed: [fresh] });
    expect((await downloadCertificates(h)).serials).toEqual([fresh]);
    expect((await h.control("retire-platform-certificate", { serial_no: "ABCDEF" })).status).toBe(404);
  });

  it("public-key mode keeps signing with the WeChat Pay public key across a rotation", async () => {
    await h.control("sign-mode", { sign_mode: "public_key" });
    try {
      const reply = await h.api("GET", "/v3/certificates");
      expect(reply.headers.get("wechatpay-serial")).toBe(h.sandbox.keys.wxpayPublicKeyId);
    } finally {
      await h.control("sign-mode", { sign_mode: "certificate" });
    }
  });

  it("a restarted sandbox keeps the rotated certificate as the current one", async () => {
    const current = h.sandbox.platform.current().serial;
    expect(current).not.toBe(h.sandbox.keys.platformSerial);
    const second = await startHarness({ dataDir });
    try {
      expect(second.sandbox.platform.current().serial).toBe(current);
      expect((await second.api("GET", "/v3/certificates")).headers.get("wechatpay-serial")).toBe(current);
      expect((await downloadCertificates(second)).serials).toEqual([current]);
    } finally {
      await second.close();
    }
  });
});
