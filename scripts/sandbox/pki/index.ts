export { TEST_ROOT_NAME, generateRsaKeyPair, issueCertificate, loadOrCreateTestCa, type IssueOptions, type RsaKeyPair, type TestCa } from "./test-ca";
export { WXPAY_SANDBOX_APPID, WXPAY_SANDBOX_MCHID, loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "./wxpay-keys";
export { randomSerial } from "./files";
export {
  ALIPAY_SANDBOX_CERT_APPID,
  ALIPAY_SANDBOX_KEY_APPID,
  ALIPAY_SANDBOX_SELLER_ID,
  alipayCertSn,
  alipayRootCertSn,
  alipaySandboxConfig,
  issueAlipayPublicCert,
  loadOrCreateAlipaySandboxKeys,
  pemToBareBase64,
  type AlipaySandboxApp,
  type AlipaySandboxConfigOptions,
  type AlipaySandboxKeys,
  type IssuedAlipayCert,
} from "./alipay-keys";
