/**
 * vk-uni-pay configuration (uni-config-center/uni-pay/config.js).
 *
 * This is a template: copy it into your project's uni-config-center/uni-pay/, fill in your merchant
 * data, and re-upload the uni-config-center module after every change. A provider or mode left empty
 * stays unconfigured and answers code 100. Certificates go in ./wxpay and ./alipay beside this file
 * and are read with fs (or give their content inline), which is why this file is .js and not .json.
 * Never commit real keys. Amounts are in fen (100 = ¥1).
 *
 * The local emulator (`npm start`) generates .unicloud/uni-config-center/uni-pay/config.js, which
 * starts from this template and replaces the merchant blocks with the local sandboxes' test keys.
 */
const fs = require("fs");
const path = require("path");

/** Reads a certificate next to this file; an absent file reads as empty (the provider stays unconfigured). */
function readCert(file) {
  const full = path.join(__dirname, file);
  return fs.existsSync(full) ? fs.readFileSync(full) : undefined;
}

module.exports = {
  // The URL化 address of the vk-pay function, per service space id (development and production).
  notifyUrl: {
    "mp-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx": "https://fc-mp-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.next.bspapp.com/http/vk-pay",
  },
  // Secret for vkPay.crypto.aes between functions: at least 32 random characters (the first 32 are the key).
  notifyKey: "",
  // Unpaid (NOTPAY) and closed orders older than this many days are deleted by the timer; 0 keeps them.
  autoDeleteExpiredOrders: 3,
  alipayAppPayToH5Pay: false,
  // Test builds: only these uni-id-users._id may pay (others get 1021). Empty means everyone.
  userWhitelist: [],

  // Order types: the amount a client may pay is computed here, never taken from the client.
  orderTypes: {
    recharge: { min: 100, max: 5000000, bonus: [] },
    goods: {},
    vip: {
      plans: {
        month: { total_fee: 3000, days: 30 },
        year: { total_fee: 29900, days: 365 },
      },
    },
    custom: {},
  },

  wxpay: {
    "mp-weixin": {
      appId: "",
      secret: "",
      mchId: "",
      key: "",
      v3Key: "",
      appCertPath: "",
      appPrivateKeyPath: "",
      wxpayPublicKeyPath: "",
      wxpayPublicKeyId: "",
      version: 3,
    },
    "app-plus": {
      appId: "",
      secret: "",
      mchId: "",
      key: "",
      v3Key: "",
      appCertPath: "",
      appPrivateKeyPath: "",
      wxpayPublicKeyPath: "",
      wxpayPublicKeyId: "",
      version: 3,
    },
    h5: {
      appId: "",
      secret: "",
      mchId: "",
      key: "",
      v3Key: "",
      appCertPath: "",
      appPrivateKeyPath: "",
      wxpayPublicKeyPath: "",
      wxpayPublicKeyId: "",
      version: 3,
    },
    "h5-weixin": {
      appId: "",
      secret: "",
      mchId: "",
      key: "",
      v3Key: "",
      appCertPath: "",
      appPrivateKeyPath: "",
      wxpayPublicKeyPath: "",
      wxpayPublicKeyId: "",
      version: 3,
    },
    mweb: {
      appId: "",
      secret: "",
      mchId: "",
      key: "",
      v3Key: "",
      appCertPath: "",
      appPrivateKeyPath: "",
      wxpayPublicKeyPath: "",
      wxpayPublicKeyId: "",
      version: 3,
      sceneInfo: { h5_info: { type: "Wap", wap_url: "", wap_name: "" } },
    },
    codepay: { appId: "", mchId: "", key: "", pfx: readCert("wxpay/apiclient_cert.p12"), v3Key: "", appCertPath: "", appPrivateKeyPath: "", version: 2 },
    // 商家转账 (transfer): defaultSceneId and defaultSceneReportInfos fill in what a call leaves out;
    // limits (fen) are checked before WeChat is asked: perTransfer, perPayeeDaily, daily.
    transfer: {
      appId: "",
      mchId: "",
      v3Key: "",
      appCertPath: "",
      appPrivateKeyPath: "",
      wxpayPublicKeyPath: "",
      wxpayPublicKeyId: "",
      defaultSceneId: "1000",
      defaultSceneReportInfos: [
        { info_type: "活动名称", info_content: "" },
        { info_type: "奖励说明", info_content: "" },
      ],
      limits: {},
    },
  },

  alipay: {
    "mp-alipay": { appId: "", privateKey: "", alipayPublicKey: "", appCertPath: "", alipayPublicCertPath: "", alipayRootCertPath: "", sandbox: false },
    "app-plus": { appId: "", privateKey: "", alipayPublicKey: "", appCertPath: "", alipayPublicCertPath: "", alipayRootCertPath: "", sandbox: false },
    h5: { appId: "", privateKey: "", alipayPublicKey: "", appCertPath: "", alipayPublicCertPath: "", alipayRootCertPath: "", sandbox: false },
    codepay: { appId: "", privateKey: "", alipayPublicKey: "", appCertPath: "", alipayPublicCertPath: "", alipayRootCertPath: "", sandbox: false },
    // Transfers need certificate mode; limits (fen) as for WeChat.
    transfer: { appId: "", privateKey: "", appCertPath: "", alipayPublicCertPath: "", alipayRootCertPath: "", sandbox: false, limits: {} },
  },

  appleiap: {
    "app-plus": {
      // The app's bundle id and (for Production notifications) its Apple id from App Store Connect.
      bundleId: "",
      appAppleId: "",
      // Accept Sandbox purchases (App Review buys in the sandbox against production apps). Trusts no extra root by itself.
      sandbox: false,
      // Legacy verifyReceipt (StoreKit 1): the app-specific shared secret.
      password: "",
      timeout: 10000,
      receiptExpiresIn: 86400,
      // App Store Server API (In-App Purchase key): key id, issuer id and the .p8 file.
      keyId: "",
      issuerId: "",
      privateKeyPath: "",
      // The price of each product, never taken from the client: { "<productId>": { total_fee: 600, subject: "60金币", maxQuantity: 10 } }.
      products: {},
    },
  },
  vkspay: { mchId: "", key: "", gatewayUrl: "" },
  // WeChat virtual payment (short-drama mini programs): the mini program's appId and secret, the xpay OfferID and
  // AppKeys, and the message-push Token (plus EncodingAESKey for safe mode) set in the mini program's console,
  // whose push URL is <vk-pay URL>/vk-pay-notify/wxpay-virtual_mp-weixin. sandbox: true signs with sandboxAppKey.
  "wxpay-virtual": {
    "mp-weixin": {
      appId: "",
      secret: "",
      offerId: "",
      appKey: "",
      sandboxAppKey: "",
      sandbox: false,
      // Coins per yuan, exactly as published in the back office (it cannot change once published).
      rate: 100,
      // short_series_goods: each item's back-office price, never taken from the client: { "<productId>": { price: 100, subject: "短剧单集" } }.
      goods: {},
      token: "",
      encodingAESKey: "",
      // The push format chosen in the console (json or xml): replies follow it.
      messageFormat: "json",
    },
  },
  // version 2 (default): 通用交易系统 (privateKey = app private key, platformPublicKey, keyVersion); version 1: 担保支付 (salt, token).
  douyin: {
    "mp-toutiao": { version: 2, appId: "", secret: "", mchId: "", privateKey: "", keyVersion: 1, platformPublicKey: "", salt: "", token: "", sandbox: false },
  },
  huawei: {
    "mp-harmony": { appId: "", mchId: "", mchAuthId: "", mchPrivateKey: "", platformPublicKey: "", clientType: "mp-harmony" },
    "app-harmony": { appId: "", mchId: "", mchAuthId: "", mchPrivateKey: "", platformPublicKey: "", clientType: "app-harmony" },
  },
};
