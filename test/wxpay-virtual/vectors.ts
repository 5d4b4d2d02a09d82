/**
 * Published xpay and message-push vectors, copied with their origin:
 * - XP-1: the reference script on the official virtual-payment page, which asserts both values itself
 *   (https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html);
 * - PUSH_*: the worked examples of the official message-push page, Token "AAAAA", EncodingAESKey "A"×43
 *   (https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html);
 * - XP-2: derived in the project's reference notes (protocols.md §7.3) from yansongda/pay's test key.
 */
export const XP1 = {
  uri: "/xpay/query_user_balance",
  api: "query_user_balance",
  appKey: "12345",
  body: '{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}',
  sessionKey: "9hAb/NEYUlkaMBEsmFgzig==",
  paySig: "c37809f27c6d7fd1837ad2500a04512b66b34fd793a39a385fade56dca89a4b5",
  signature: "089d9e8dc5d308977360c4b79ec600a93d736802802a807d634192328032f6c7",
  /** yansongda before v3.8.0 signed `xpay/query_user_balance` (no slash): WeChat refuses it. */
  noSlashPaySig: "8e3b0b28b12177813cd7d2e063c7f8b65e520553fd7f6adcf39423b6859300c5",
};

export const PUSH = {
  token: "AAAAA",
  encodingAESKey: "A".repeat(43),
  appId: "wxba5fad812f8e6fb9",
  get: { signature: "f464b24fc39322e44b38aa78f5edd27bd1441696", echostr: "4375120948345356249", timestamp: "1714036504", nonce: "1514711492" },
  plain: { signature: "899cf89e464efb63f54ddac96b0a0a235f53aa78", timestamp: "1714037059", nonce: "486452656" },
  safe: {
    query: {
      signature: "6c5c811b55cc85e0e1b54100749188c20beb3f5d",
      timestamp: "1714112445",
      nonce: "415670741",
      openid: "o9AgO5Kd5ggOC-bXrbNODIiE3bGY",
      encrypt_type: "aes",
      msg_signature: "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
    },
    body: {
      ToUserName: "gh_97417a04a28d",
      Encrypt:
        "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=",
    },
    message:
      '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
  },
  reply: {
    random: "707722b803182950",
    message: '{"demo_resp":"good luck"}',
    timestamp: 1713424427,
    nonce: "415670741",
    Encrypt: "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==",
    MsgSignature: "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
  },
};

export const XP2 = {
  encodingAESKey: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY",
  appId: "wx55955316af4ef14",
  random: "aaaabbbbccccdddd",
  message: "<xml><MsgType>event</MsgType><Event>xpay_goods_deliver_notify</Event></xml>",
  Encrypt:
    "1cdl0P8/syfHVd4zHv2lXXrUvNDfhS54R5Fr+uXuphr6yNOvZA/xSf7k6DpedRElzroaiI/EgJuLV3y1H6SZwVFUl1PimwVRvCn805smDeCN3mL5g9UdJ9gKAjzY3XaBQC+KV49fhNGs9GA7QpQDgO3vjiBP+QVrYzSm0W1mGR8=",
  token: "test_callback_token",
  timestamp: "1626444144",
  nonce: "test_nonce",
  msgSignature: "1ace8870c0bbfdf1daad50b53872b95cc9244393",
  plainSignature: "aa8a79101a1386564292fbb9230958ff5cde1336",
};
