import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leaksIn, secretsOfConfig } from "../conformance/secrets";

/** The scan every conformance run ends with must find what it looks for, or its "no leak" would mean nothing. */
describe("the secrets scan", () => {
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const publicPem = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }) as string;
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-secrets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "apiclient_key.pem"), pem);
  const config = {
    notifyKey: "notify-key-0123456789",
    wxpay: {
      h5: {
        appId: "wx0000000000000001",
        mchId: "1900000001",
        key: "v2-key-abcdefghijkl",
        v3Key: "v3-key-abcdefghijkl",
        appPrivateKeyPath: join(dir, "apiclient_key.pem"),
      },
    },
    alipay: { h5: { appId: "2021000000000001", privateKey: pem, alipayPublicKey: publicPem } },
  };
  const secrets = secretsOfConfig(config);

  it("finds keys, secrets and private keys (inline or by path), and not ids or public keys", () => {
    const where = new Set(secrets.map((secret) => secret.where.replace(/ \(private key bytes.*$/, "")));
    expect([...where].sort()).toEqual([
      "uni-pay.alipay.h5.privateKey",
      "uni-pay.notifyKey",
      "uni-pay.wxpay.h5.appPrivateKeyPath",
      "uni-pay.wxpay.h5.key",
      "uni-pay.wxpay.h5.v3Key",
    ]);
  });

  it("reports a leaked secret by where it was configured, a fragment of a private key included", () => {
    const body = pem.split("\n")[5]!;
    expect(leaksIn(secrets, ["paid", `signing with ${body}`, "v3 key v3-key-abcdefghijkl"])).toEqual(
      expect.arrayContaining(["uni-pay.wxpay.h5.v3Key", expect.stringContaining("uni-pay.alipay.h5.privateKey")]),
    );
    expect(leaksIn(secrets, ["appId wx0000000000000001 mchId 1900000001", publicPem])).toEqual([]);
  });
});
