import path from "node:path";
import { X509Certificate } from "node:crypto";
import {
  AlipayConfigError,
  alipayIssuerString,
  getAlipayCertSn,
  getAlipayRootCertSn,
  loadAlipayPublicKey,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { fixtureText } from "./fixtures";

const ROOT_SN = "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6";

describe("AL-6: alipay-sdk antcertutil fixtures", () => {
  it("app certificate SN (and its serial decimal)", () => {
    const pem = fixtureText("alipay-sdk-nodejs-all__appCertPublicKey_2021001161683774.crt");
    expect(BigInt(`0x${new X509Certificate(pem).serialNumber}`).toString(10)).toBe("42701552708448241360226107228231049510");
    expect(getAlipayCertSn(pem)).toBe("866efef280dec9137a87d047ac446315");
  });

  it("Alipay public certificate SN and public key", () => {
    const pem = fixtureText("alipay-sdk-nodejs-all__alipayCertPublicKey_RSA2.crt");
    expect(getAlipayCertSn(pem)).toBe("7513daaaa48aa3ba2e4018d84402479c");
    const spki = loadAlipayPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
    expect(spki).toBe(
      "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhoVesfcGvUv1XvUndmX0rmSZ/2posJBCooySbSVFpV79RtHMzrVz2aKkC3WvOXeT5iNeQK4mK8gp3vNkWrHTkQGx5BcmkeO1WS384CQde7dAS0gmxeFs5bs+cCQqV2A2c2R9/5rJMtFtp1Ot/rIiMBUn6Ei0UoztM7AneavqQEzSwYlCKNhPFFtHCiz7u4O5R9CIyvUmYr+zpem2HXBN9ygPAZ0aXBQipGbc45+G07ZCNsmY4hV/Igya1aBf+Ye8p10Ew8uBBri0sIknhSC2LqKKy2IH1fO6q1d1jhN240QRHvbpRNv60kAfZsEulBASBrCMBi49NiJyr5nre7SNywIDAQAB",
    );
  });

  it("root SN keeps only the RSA-signed roots (skips SM2 ROOTCA and ECDSA E1)", () => {
    expect(getAlipayRootCertSn(fixtureText("alipay-sdk-nodejs-all__alipayRootCert.crt"))).toBe(ROOT_SN);
  });

  it("issuer string is the DER order reversed, SHORT=value joined by ','", () => {
    const pem = fixtureText("alipay-sdk-nodejs-all__alipayCertPublicKey_RSA2.crt");
    expect(alipayIssuerString(new X509Certificate(pem))).toMatch(/^CN=[^,]+,OU=[^,]+,O=[^,]+,C=CN$/);
  });
});

describe("AL-7: yansongda tests/Cert", () => {
  it("app certificate SN equals app_cert_sn of AL-1", () => {
    expect(getAlipayCertSn(fixtureText("yansongda__alipayAppPublicCert.crt"))).toBe("e90dd23a37c5c7b616e003970817ff82");
  });

  it("root SN equals AL-6's", () => {
    expect(getAlipayRootCertSn(fixtureText("yansongda__alipayRootCert.crt"))).toBe(ROOT_SN);
  });

  it("Alipay public certificate (leaf + intermediate) SN is the leaf's [D]", () => {
    expect(getAlipayCertSn(Buffer.from(fixtureText("yansongda__alipayPublicCert.crt")))).toBe("6f1e366a31d9575cd546914add04f4af");
  });
});

describe("interop: alipay-sdk getSN on every fixture", () => {
  const { getSN } = require(path.join(path.dirname(require.resolve("alipay-sdk")), "antcertutil.js")) as {
    getSN(data: string, isRoot?: boolean): string;
  };

  it.each([
    "alipay-sdk-nodejs-all__appCertPublicKey_2021001161683774.crt",
    "alipay-sdk-nodejs-all__alipayCertPublicKey_RSA2.crt",
    "yansongda__alipayAppPublicCert.crt",
    "yansongda__alipayPublicCert.crt",
  ])("%s", (file) => {
    expect(getAlipayCertSn(fixtureText(file))).toBe(getSN(fixtureText(file)));
  });

  it.each(["alipay-sdk-nodejs-all__alipayRootCert.crt", "yansongda__alipayRootCert.crt"])("root %s", (file) => {
    expect(getAlipayRootCertSn(fixtureText(file))).toBe(getSN(fixtureText(file), true));
  });
});

describe("bad input", () => {
  it("refuses text without a certificate and a root bundle without RSA roots", () => {
    expect(() => getAlipayCertSn("nope")).toThrow(AlipayConfigError);
    const bundle = fixtureText("alipay-sdk-nodejs-all__alipayRootCert.crt");
    const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    const nonRsa = [blocks[0], blocks[2]].join("\n");
    expect(() => getAlipayRootCertSn(nonRsa)).toThrow(AlipayConfigError);
    expect(() => getAlipayCertSn("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).toThrow(AlipayConfigError);
  });
});
