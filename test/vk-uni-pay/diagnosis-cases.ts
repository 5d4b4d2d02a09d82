import { createHash, X509Certificate } from "node:crypto";
import { parseV2Xml } from "../../common/vk-uni-pay/src/providers/wxpay/v2/protocol";
import { alipayPlatform } from "../conformance/platforms/alipay";
import { douyinPlatform } from "../conformance/platforms/douyin";
import { huaweiPlatform } from "../conformance/platforms/huawei";
import { vkspayPlatform } from "../conformance/platforms/vkspay";
import { wxpayV2Platform } from "../conformance/platforms/wxpay-v2";
import { wxpayV3Platform } from "../conformance/platforms/wxpay-v3";
import { wxpayVirtualPlatform } from "../conformance/platforms/wxpay-virtual";
import type { FakePlatform, NotifyMessage } from "../conformance/fake-platform";

/**
 * For each sandboxed provider, what the log row of its conformance platform's "bad-signature" forgery
 * must say: the hash of the text the check ran over, rebuilt here from the protocol's documents (so a
 * hash of the wrong text, or of text holding the key, fails), and the serial and signing time where the
 * protocol carries them. `near` marks a clock offset that depends on when the forgery was built.
 */

export const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

export interface ExpectedDiagnosis {
  checked_text_sha256: string;
  algorithm?: string;
  serial?: string;
  /** Seconds, within a few of the logged value (the message was signed "now"). */
  near?: number;
}

export interface DiagnosisCase {
  name: string;
  platform: () => FakePlatform;
  expected(message: NotifyMessage, now: number): ExpectedDiagnosis;
}

function header(message: NotifyMessage, name: string): string {
  const found = Object.entries(message.headers).find(([key]) => key.toLowerCase() === name);
  if (!found) throw new Error(`the forged message has no ${name}`);
  return found[1];
}

/** `k=v&…` of the fields, sorted, without those named and (where the protocol says so) without empty values. */
function sortedPairs(fields: Record<string, string>, without: string[], dropEmpty: boolean): string {
  return Object.keys(fields)
    .filter((key) => !without.includes(key) && !(dropEmpty && fields[key] === ""))
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("&");
}

const formFields = (body: string) => Object.fromEntries(new URLSearchParams(body));

/** Alipay's notify_time and Huawei's callbackTime are Beijing wall-clock times. */
const beijingMs = (text: string) => Date.parse(`${text.replace(" ", "T")}+08:00`);

const alipayCase = (cert: boolean): DiagnosisCase => ({
  name: `alipay (${cert ? "certificate" : "key"} mode)`,
  platform: () => alipayPlatform({ cert }),
  expected(message, now) {
    const fields = formFields(message.body);
    // A notification names no certificate SN: there is no serial to expect.
    return {
      checked_text_sha256: sha256(sortedPairs(fields, ["sign", "sign_type"], false)),
      algorithm: "RSA2",
      near: Math.round((now - beijingMs(fields.notify_time!)) / 1000),
    };
  },
});

const byteTimestampCase: DiagnosisCase = {
  name: "douyin (通用交易系统)",
  platform: () => douyinPlatform({ version: 2 }),
  expected(message, now) {
    const timestamp = header(message, "byte-timestamp");
    return {
      checked_text_sha256: sha256(`${timestamp}\n${header(message, "byte-nonce-str")}\n${message.body}\n`),
      near: Math.round(now / 1000 - Number(timestamp)),
    };
  },
};

export const DIAGNOSIS_CASES: DiagnosisCase[] = [
  {
    name: "wxpay (API v3, public key)",
    platform: () => wxpayV3Platform("public-key"),
    expected(message, now) {
      const timestamp = header(message, "wechatpay-timestamp");
      return {
        checked_text_sha256: sha256(`${timestamp}\n${header(message, "wechatpay-nonce")}\n${message.body}\n`),
        serial: header(message, "wechatpay-serial"),
        near: Math.round(now / 1000 - Number(timestamp)),
      };
    },
  },
  {
    name: "wxpay (API v2)",
    platform: wxpayV2Platform,
    expected(message) {
      // stringA without `&key=`: a hash of the text with the key appended would let the key be guessed offline.
      const fields = parseV2Xml(message.body) as Record<string, string>;
      return { checked_text_sha256: sha256(sortedPairs(fields, ["sign"], true)) };
    },
  },
  alipayCase(false),
  alipayCase(true),
  {
    name: "vkspay (易支付)",
    platform: vkspayPlatform,
    expected(message) {
      return { checked_text_sha256: sha256(sortedPairs(formFields(message.body), ["sign", "sign_type"], true)), algorithm: "MD5" };
    },
  },
  byteTimestampCase,
  {
    name: "douyin (担保支付)",
    platform: () => douyinPlatform({ version: 1 }),
    expected(message, now) {
      const body = JSON.parse(message.body) as { timestamp: string; nonce: string; msg: string };
      // The token is one of the sorted strings msg_signature covers; the hash leaves it out.
      return {
        checked_text_sha256: sha256([body.timestamp, body.nonce, body.msg].sort().join("")),
        algorithm: "SHA1",
        near: Math.round(now / 1000 - Number(body.timestamp)),
      };
    },
  },
  {
    name: "huawei",
    platform: huaweiPlatform,
    expected(message, now) {
      const fields = JSON.parse(message.body) as Record<string, string>;
      return {
        checked_text_sha256: sha256(sortedPairs(fields, ["sign"], false)),
        serial: fields.certNo!,
        algorithm: "SM2",
        near: Math.round((now - beijingMs(fields.callbackTime!)) / 1000),
      };
    },
  },
  {
    name: "wxpay-virtual (safe-mode push)",
    platform: wxpayVirtualPlatform,
    expected(message, now) {
      const query = message.query!;
      const encrypt = (JSON.parse(message.body) as { Encrypt: string }).Encrypt;
      return {
        checked_text_sha256: sha256([query.timestamp!, query.nonce!, encrypt].sort().join("")),
        near: Math.round(now / 1000 - Number(query.timestamp)),
      };
    },
  },
];

/** The serial Apple's JWS names: its x5c leaf certificate's. */
export function leafSerialOf(jws: string): string {
  const header = JSON.parse(Buffer.from(jws.split(".")[0]!, "base64url").toString("utf8")) as { x5c: string[] };
  return new X509Certificate(Buffer.from(header.x5c[0]!, "base64")).serialNumber;
}
