import { createDecipheriv, createHash, createPublicKey, verify, X509Certificate } from "node:crypto";
import { appleiap as appleiapProvider } from "../../common/vk-uni-pay/src/providers/appleiap";
import { douyin as douyinProvider } from "../../common/vk-uni-pay/src/providers/douyin";
import { wxpayVirtual as wxpayVirtualProvider } from "../../common/vk-uni-pay/src/providers/wxpay-virtual";
import { appleSandboxConfig } from "../sandbox/appleiap/config";
import type { AppleSandboxKeys } from "../sandbox/appleiap/keys";
import { createAppleSandboxStore, notificationPayload } from "../sandbox/appleiap/store";
import { douyinSandboxConfig } from "../sandbox/douyin/config";
import type { DouyinSandboxKeys } from "../sandbox/douyin/keys";
import { paymentMessage, tradeCallback } from "../sandbox/douyin/notifier";
import type { SandboxOrder } from "../sandbox/douyin/types";
import { xpaySandboxMerchant } from "../sandbox/wxpay-virtual/config";
import { XPAY_SANDBOX_GOODS, type XpaySandboxKeys } from "../sandbox/wxpay-virtual/keys";
import { signedPush } from "../sandbox/wxpay-virtual/pusher";
import type { XpaySandboxState } from "../sandbox/wxpay-virtual/state";
import { AMOUNT, type Message, type ProviderCase } from "./provider-notify";

/**
 * The notification rows of the providers that landed after the first four (issue 19 item 4), each signed
 * by its sandbox's own keys and helpers, each against its own crypto floor.
 */

/**
 * The signature work one App Store JWS needs: its ES256 signature by the leaf. The chain under it (the
 * intermediate by the root, the leaf by the intermediate) is proven once per chain and remembered by the
 * verifier, so it is checked here once per chain too.
 */
function appleJwsFloor(jws: string, root: X509Certificate): void {
  const [headerPart, payloadPart, signaturePart] = jws.split(".") as [string, string, string];
  const x5c = (JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as { x5c: string[] }).x5c;
  const leaf = provenLeaf(x5c, root);
  const signed = verify(
    "sha256",
    Buffer.from(`${headerPart}.${payloadPart}`),
    { key: leaf.publicKey, dsaEncoding: "ieee-p1363" },
    Buffer.from(signaturePart, "base64url"),
  );
  if (!signed) throw new Error("appleiap floor: signature");
}

const provenLeaves = new Map<string, X509Certificate>();
function provenLeaf(x5c: string[], root: X509Certificate): X509Certificate {
  const key = `${x5c[0]}.${x5c[1]}`;
  let leaf = provenLeaves.get(key);
  if (!leaf) {
    leaf = new X509Certificate(Buffer.from(x5c[0]!, "base64"));
    const intermediate = new X509Certificate(Buffer.from(x5c[1]!, "base64"));
    if (!intermediate.verify(root.publicKey) || !leaf.verify(intermediate.publicKey)) throw new Error("appleiap floor: chain");
    provenLeaves.set(key, leaf);
  }
  return leaf;
}

/**
 * Apple (App Store Server Notifications V2, Production data, offline checks as the sandbox config has them):
 * a REFUND whose `signedPayload` and inner `signedTransactionInfo` are each a JWS with an x5c chain. The
 * floor is the verifier's signature work: both payloads' signatures, and each chain once. Online checks would add
 * OCSP round trips, which are not CPU.
 */
export function appleiap(keys: AppleSandboxKeys): ProviderCase {
  const store = createAppleSandboxStore(keys);
  const root = new X509Certificate(keys.chain.root.certDer);
  const inner = new Map<string, string>();
  return {
    label: "appleiap (REFUND)",
    provider: () => appleiapProvider,
    name: "appleiap",
    mode: "app-plus",
    config: appleSandboxConfig(keys, "http://bench.invalid"),
    order: { mch_id: "" },
    refunds: true,
    message() {
      const { transaction } = store.purchase({
        productId: "coins_60",
        quantity: 1,
        environment: "Production",
        type: "Consumable",
        familyShared: false,
        price: 6000,
      });
      store.revoke(transaction.transactionId, { type: "REFUND_FULL", reason: 0 });
      const payload = notificationPayload("REFUND", transaction, store);
      const body = JSON.stringify({ signedPayload: store.sign(payload) });
      inner.set(body, (payload.data as { signedTransactionInfo: string }).signedTransactionInfo);
      // The app proved this purchase when it paid: the order carries the claim the REFUND is bound by.
      const order = { payment_claim: `appleiap:${transaction.transactionId}`, transaction_id: transaction.transactionId };
      return { headers: { "content-type": "application/json" }, body, order };
    },
    crypto({ body }) {
      appleJwsFloor((JSON.parse(body) as { signedPayload: string }).signedPayload, root);
      appleJwsFloor(inner.get(body)!, root);
    },
  };
}

/**
 * WeChat virtual payment (xpay message push, safe mode as the sandbox config has it): an
 * `xpay_goods_deliver_notify` encrypted AES-256-CBC under the EncodingAESKey, with `msg_signature` (SHA-1
 * over the token, timestamp, nonce and ciphertext). The floor is that SHA-1 and the decryption.
 */
export function wxpayVirtual(keys: XpaySandboxKeys): ProviderCase {
  const state = { pushSettings: () => ({ safe: true, format: "json" }), now: () => Date.now() } as unknown as XpaySandboxState;
  const aesKey = Buffer.from(`${keys.encodingAESKey}=`, "base64");
  const productId = Object.keys(XPAY_SANDBOX_GOODS).find((id) => XPAY_SANDBOX_GOODS[id]!.price === AMOUNT)!;
  const orderFields = { mode: "short_series_goods", buy_quantity: 1, env: 0, product_id: productId };
  return {
    label: "wxpay-virtual",
    provider: () => wxpayVirtualProvider,
    name: "wxpay-virtual",
    mode: "mp-weixin",
    config: xpaySandboxMerchant(keys, "http://bench.invalid"),
    order: { mch_id: keys.offerId, provider_appid: keys.appId },
    message(outTradeNo) {
      const paidTime = Math.floor(Date.now() / 1000);
      const message = {
        ToUserName: "gh_xpaysandbox",
        FromUserName: "o-bench",
        CreateTime: paidTime,
        MsgType: "event",
        Event: "xpay_goods_deliver_notify",
        OpenId: "o-bench",
        OutTradeNo: outTradeNo,
        Env: 0,
        WeChatPayInfo: { MchOrderNo: `mch${outTradeNo}`, TransactionId: `4200${outTradeNo}`, PaidTime: paidTime },
        GoodsInfo: { ProductId: productId, Quantity: 1, OrigPrice: AMOUNT, ActualPrice: AMOUNT, Attach: "" },
        TeamInfo: {},
      };
      const { url, body, contentType } = signedPush(keys, state, message);
      const query = Object.fromEntries(new URL(url).searchParams);
      return { headers: { "content-type": contentType }, body, query, order: { provider_fields: orderFields, openid: "o-bench" } };
    },
    crypto({ body, query }: Message) {
      const encrypt = (JSON.parse(body) as { Encrypt: string }).Encrypt;
      const signature = createHash("sha1").update([keys.token, query!.timestamp!, query!.nonce!, encrypt].sort().join("")).digest("hex");
      if (signature !== query!.msg_signature) throw new Error("wxpay-virtual floor: msg_signature");
      const decipher = createDecipheriv("aes-256-cbc", aesKey, aesKey.subarray(0, 16)).setAutoPadding(false);
      Buffer.concat([decipher.update(encrypt, "base64"), decipher.final()]);
    },
  };
}

/**
 * Douyin 通用交易系统: a payment callback signed SHA256withRSA by the platform over
 * `<Byte-Timestamp>\n<Byte-Nonce-Str>\n<body>\n`. The floor is that one RSA verify.
 */
export function douyin(keys: DouyinSandboxKeys): ProviderCase {
  const platformPublic = createPublicKey(keys.platformPublicKeyPem);
  return {
    label: "douyin",
    provider: () => douyinProvider,
    name: "douyin",
    mode: "mp-toutiao",
    config: douyinSandboxConfig(keys, "http://bench.invalid", 2),
    order: { mch_id: keys.mchId, provider_appid: keys.appId },
    message(outTradeNo) {
      const now = Date.now();
      const order = {
        system: "trade",
        app_id: keys.appId,
        out_order_no: outTradeNo,
        order_id: `ot${outTradeNo}`,
        total_amount: AMOUNT,
        subject: "账户充值",
        merchant_uid: keys.mchId,
        status: "SUCCESS",
        pay_channel: 1,
        channel_pay_id: `4200${outTradeNo}`,
        created_at: now,
        expire_at: now + 3_600_000,
        pay_time: now,
      } satisfies SandboxOrder;
      return tradeCallback(keys, "payment", paymentMessage(order), now);
    },
    crypto({ headers, body }) {
      const signed = Buffer.from(`${headers["byte-timestamp"]}\n${headers["byte-nonce-str"]}\n${body}\n`);
      if (!verify("sha256", signed, platformPublic, Buffer.from(headers["byte-signature"]!, "base64"))) throw new Error("douyin floor: signature");
    },
  };
}
