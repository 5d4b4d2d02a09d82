import {
  decryptCertificates,
  decryptResource,
  encryptResource,
  loadCertificate,
  WxpayV3CryptoError,
  WxpayV3ValidationError,
  type EncryptedResource,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { fixtureJson, GO_PLATFORM_CERT, YANSONGDA_CALLBACK } from "./fixtures";

interface CertificatesVector {
  apiV3Key: string;
  expectedDecryptedCertSerial: string;
  response: { data: Array<Record<string, unknown>> };
}

describe("V3-7: wechatpay-java /v3/certificates response (TestConfig.java)", () => {
  const vector = fixtureJson<CertificatesVector>("wechatpay-java_certificates_response.json");

  it("decrypts to a Tenpay certificate whose own serial matches serial_no", () => {
    const [record, ...rest] = decryptCertificates(vector.response, vector.apiV3Key);
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({
      serial_no: "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC",
      effective_time: "2023-09-19T23:15:58+08:00",
      expire_time: "2028-09-17T23:15:58+08:00",
    });
    const certificate = loadCertificate(record!.pem);
    expect(certificate.serialNo).toBe(vector.expectedDecryptedCertSerial);
    expect(certificate.validFrom.toISOString().slice(0, 10)).toBe("2023-09-19");
    expect(certificate.validTo.toISOString().slice(0, 10)).toBe("2028-09-17");
  });

  it("refuses an entry whose serial_no is not the decrypted certificate's", () => {
    const entry = { ...vector.response.data[0], serial_no: "45F59D4DABF31918AFCEC556D5D2C6E376675D57" };
    let caught: unknown;
    try {
      decryptCertificates({ data: [entry] }, vector.apiV3Key);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WxpayV3CryptoError);
    expect((caught as WxpayV3CryptoError).reason).toBe("wxpay-v3-certificate-serial-mismatch");
  });

  it("matches serials as numbers (case and leading zeros)", () => {
    const entry = { ...vector.response.data[0], serial_no: "005dea10ef55877e3cf6c33255c2e7defff7e427ec" };
    expect(decryptCertificates({ data: [entry] }, vector.apiV3Key)[0]!.serial_no).toBe("005dea10ef55877e3cf6c33255c2e7defff7e427ec");
  });

  it("refuses the wrong APIv3 key and malformed responses", () => {
    expect(() => decryptCertificates(vector.response, "Cj5xC9RXf0GFCKWeD9PyY1ZWLgionbvx")).toThrow(WxpayV3CryptoError);
    expect(() => decryptCertificates({}, vector.apiV3Key)).toThrow(WxpayV3ValidationError);
    expect(() => decryptCertificates({ data: [{ serial_no: "X" }] }, vector.apiV3Key)).toThrow(WxpayV3ValidationError);
    expect(decryptCertificates({ data: [] }, vector.apiV3Key)).toEqual([]);
  });

  it("refuses an entry that decrypts to something other than a certificate", () => {
    const encrypt_certificate = encryptResource({ plaintext: "hello", apiV3Key: vector.apiV3Key, associatedData: "certificate" });
    const entry = { serial_no: "AB", effective_time: "x", expire_time: "y", encrypt_certificate };
    expect(() => decryptCertificates({ data: [entry] }, vector.apiV3Key)).toThrow(WxpayV3CryptoError);
  });
});

describe("V3-9: the yansongda callback resource is a certificate", () => {
  it("decrypts with its 32-byte APIv3 key to serial 45F59D4DABF31918AFCEC556D5D2C6E376675D57", () => {
    const callback = YANSONGDA_CALLBACK();
    const { resource } = JSON.parse(callback.rawBody) as { resource: EncryptedResource };
    expect(resource.nonce).toBe("4196a5b75276");
    const pem = decryptResource(resource, callback.apiV3Key);
    expect(loadCertificate(pem).serialNo).toBe("45F59D4DABF31918AFCEC556D5D2C6E376675D57");
  });
});

describe("the sandbox direction", () => {
  it("builds a certificates response that decrypts back", () => {
    const apiV3Key = "sandboxAPIv3Key0sandboxAPIv3Key0";
    const certificate = loadCertificate(GO_PLATFORM_CERT());
    const response = {
      data: [
        {
          serial_no: certificate.serialNo,
          effective_time: "2021-04-27T16:55:23+08:00",
          expire_time: "2031-04-25T16:55:23+08:00",
          encrypt_certificate: encryptResource({ plaintext: certificate.pem, apiV3Key, associatedData: "certificate" }),
        },
      ],
    };
    const [record] = decryptCertificates(JSON.parse(JSON.stringify(response)), apiV3Key);
    expect(record!.serial_no).toBe("D7CE59D1F522D701");
    expect(loadCertificate(record!.pem).publicKey.equals(certificate.publicKey)).toBe(true);
  });
});
