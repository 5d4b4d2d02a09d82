export { huaweiSignString } from "./sign-string";
export { rsaPssSign, rsaPssVerify } from "./rsa-pss";
export {
  generateSm2PrivateKeyHex,
  parseSm2PublicKey,
  sm2PublicKeyHex,
  sm2PublicKeyOf,
  sm2Sign,
  sm2Verify,
  SM2_DEFAULT_USER_ID,
  type Sm2PublicKey,
} from "./sm2";
export { HUAWEI_NOTIFY_ACK, verifySm2Fields } from "./sm2-fields";
