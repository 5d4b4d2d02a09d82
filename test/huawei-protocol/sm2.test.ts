import { createHash, generateKeyPairSync, sign } from "node:crypto";
import {
  generateSm2PrivateKeyHex,
  parseSm2PublicKey,
  sm2PublicKeyHex,
  sm2PublicKeyOf,
  sm2Sign,
  sm2Verify,
} from "../../common/vk-uni-pay/src/providers/huawei/protocol";

/**
 * The worked example of GB/T 32918 (GM/T 0003.5-2012 §A, the recommended curve): private key d, the default
 * user id 1234567812345678, the message "message digest" and the random k give exactly this (r, s). It is
 * also what sm-crypto computes with `{ hash: true }` and its default user id: e = SM3(Z_A ‖ M).
 */
const D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
const K = BigInt("0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21");
const R = "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3";
const S = "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa";
const PUBLIC = "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";

describe("SM2 with SM3 (the signature of Huawei Pay's callbacks and answers)", () => {
  it("derives the standard's public key and reproduces its signature (r, s) in DER", () => {
    expect(sm2PublicKeyHex(sm2PublicKeyOf(D))).toBe(PUBLIC);
    const der = sm2Sign("message digest", D, { k: K });
    expect(der.toString("hex")).toBe(`3046022100${R}022100${S}`);
    expect(sm2Verify("message digest", der, parseSm2PublicKey(PUBLIC))).toBe(true);
  });

  it("round-trips with fresh keys, and refuses another message, another key, another user id and a damaged signature", () => {
    const d = generateSm2PrivateKeyHex();
    const key = sm2PublicKeyOf(d);
    const signature = sm2Sign("callbackId=1&orderStatus=TRX_SUCCESS", d);
    expect(sm2Verify("callbackId=1&orderStatus=TRX_SUCCESS", signature, key)).toBe(true);
    expect(sm2Verify("callbackId=1&orderStatus=TRX_FAILED", signature, key)).toBe(false);
    expect(sm2Verify("callbackId=1&orderStatus=TRX_SUCCESS", signature, sm2PublicKeyOf(generateSm2PrivateKeyHex()))).toBe(false);
    expect(sm2Verify("callbackId=1&orderStatus=TRX_SUCCESS", signature, key, "ALICE123@YAHOO.COM")).toBe(false);
    const damaged = Buffer.from(signature);
    damaged[damaged.length - 1]! ^= 1;
    expect(sm2Verify("callbackId=1&orderStatus=TRX_SUCCESS", damaged, key)).toBe(false);
    expect(sm2Verify("x", Buffer.from("not der"), key)).toBe(false);
  });

  it("is not ECDSA over the SM2 curve: Node's EC signature with SM3 does not verify as SM2", () => {
    // OpenSSL via Node signs plain ECDSA for an `ec` key on the SM2 curve (no Z_A), which is why the scheme is implemented here.
    const pair = generateKeyPairSync("ec", { namedCurve: "SM2" });
    const spki = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
    const ecdsa = sign("sm3", Buffer.from("abc"), pair.privateKey);
    expect(sm2Verify("abc", ecdsa, parseSm2PublicKey(spki))).toBe(false);
    expect(createHash("sm3").update("abc").digest("hex")).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  });

  it("reads the public key as hex 04…, as SPKI PEM and as bare base64 SPKI, and refuses a point off the curve", () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "SM2" });
    const pem = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
    const der = pair.publicKey.export({ type: "spki", format: "der" }) as Buffer;
    const hex = `04${der.subarray(der.length - 64).toString("hex")}`;
    expect(parseSm2PublicKey(pem)).toEqual(parseSm2PublicKey(hex));
    expect(parseSm2PublicKey(der.toString("base64"))).toEqual(parseSm2PublicKey(hex.toUpperCase()));
    expect(() => parseSm2PublicKey(`04${"11".repeat(64)}`)).toThrow(/not a point/);
  });
});
