export { TEST_ROOT_NAME, generateRsaKeyPair, issueCertificate, loadOrCreateTestCa, type IssueOptions, type RsaKeyPair, type TestCa } from "./test-ca";
export { WXPAY_SANDBOX_APPID, WXPAY_SANDBOX_MCHID, loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "./wxpay-keys";
export { randomSerial } from "./files";
