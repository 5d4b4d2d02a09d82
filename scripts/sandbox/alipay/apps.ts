/**
 * The apps Alipay knows and the checks its gateway runs on every request before any business logic:
 * public parameters, the app, the certificate SNs in certificate mode, then the RSA2 signature.
 * @see https://opendocs.alipay.com/common/02kg67 (公共请求参数)
 * @see https://opendocs.alipay.com/common/02km9f (公共错误码)
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { AlipaySandboxKeys } from "../pki";
import { signContent, verifyRsa2 } from "./sign";
import { parseBeijing } from "./time";
import { invalidArgument, missingArgument } from "./types";

export interface SandboxApp {
  appId: string;
  mode: "key" | "cert";
  /** Verifies the app's requests: its public key (key mode) or the key of its app certificate. */
  appPublicKey: KeyObject;
  /** Signs responses and notifications for this app. */
  alipayPrivateKey: KeyObject;
  appCertSn?: string;
  alipayCertSn?: string;
}

export interface AppRegistry {
  apps: Map<string, SandboxApp>;
  sellerId: string;
  alipayRootCertSn: string;
}

export function appsFromKeys(keys: AlipaySandboxKeys): AppRegistry {
  const certKey = createPrivateKey(keys.alipayCertPrivateKeyPem);
  const apps: SandboxApp[] = [
    {
      appId: keys.keyApp.appId,
      mode: "key",
      appPublicKey: createPublicKey(keys.keyApp.appPublicKeyPem),
      alipayPrivateKey: createPrivateKey(keys.alipayPrivateKeyPem),
    },
    {
      appId: keys.certApp.appId,
      mode: "cert",
      // The gateway trusts the key in the app certificate it issued, not a separately uploaded key.
      appPublicKey: createPublicKey(keys.appCertPem),
      alipayPrivateKey: certKey,
      appCertSn: keys.appCertSn,
      alipayCertSn: keys.alipayCertSn,
    },
  ];
  return { apps: new Map(apps.map((app) => [app.appId, app])), sellerId: keys.sellerId, alipayRootCertSn: keys.alipayRootCertSn };
}

/** The app named by `app_id`; Alipay checks it before the signature (an unknown app gets an unsigned reply). */
export function findApp(registry: AppRegistry, params: Record<string, string>): SandboxApp {
  if (!params.app_id) throw missingArgument("isv.missing-app-id", "缺少appId参数");
  const app = registry.apps.get(params.app_id);
  if (!app) throw invalidArgument("isv.invalid-app-id", "无效的AppID参数");
  return app;
}

/**
 * Everything but `app_id` and `method`, which the caller checked: charset, format, sign_type, timestamp,
 * version, the certificate SNs, and finally the signature over the sorted non-empty parameters except
 * `sign` (with `sign_type`).
 * @see https://opendocs.alipay.com/common/02kf5q (请求签名)
 * @see https://opendocs.alipay.com/common/057k53 (公钥证书模式的证书序列号)
 */
export function verifyAppRequest(registry: AppRegistry, app: SandboxApp, params: Record<string, string>): void {
  if (params.charset && !/^utf-8$/i.test(params.charset)) {
    // The sandbox decodes UTF-8 only; Alipay also takes GBK, which no current client sends.
    throw invalidArgument("isv.invalid-charset", `字符集错误: 沙箱只支持 utf-8，收到 ${params.charset}`);
  }
  if (params.format && params.format.toUpperCase() !== "JSON") throw invalidArgument("isv.invalid-format", "无效的数据格式");
  if (!params.sign_type) throw missingArgument("isv.missing-signature-type", "缺少签名类型参数");
  if (params.sign_type !== "RSA2" && params.sign_type !== "RSA") throw invalidArgument("isv.invalid-signature-type", "无效的签名类型");
  if (!params.timestamp) throw missingArgument("isv.missing-timestamp", "缺少时间戳参数");
  if (parseBeijing(params.timestamp) === undefined) throw invalidArgument("isv.invalid-timestamp", "非法的时间戳参数");
  if (!params.version) throw missingArgument("isv.missing-version", "缺少版本参数");
  if (!params.sign) throw missingArgument("isv.missing-signature", "缺少签名参数");
  if (app.mode === "cert") {
    if (!params.app_cert_sn) throw invalidArgument("isv.missing-app-cert-sn", "缺少应用公钥证书序列号");
    if (params.app_cert_sn !== app.appCertSn) throw invalidArgument("isv.app-cert-not-exist", "应用公钥证书不存在");
    if (!params.alipay_root_cert_sn) throw invalidArgument("isv.missing-alipay-root-cert-sn", "缺少支付宝根证书序列号");
    if (params.alipay_root_cert_sn !== registry.alipayRootCertSn) throw invalidArgument("isv.invalid-alipay-root-cert-sn", "无效的支付宝根证书序列号");
  }
  const content = signContent(params);
  // Sandbox apps are RSA2 apps, as every app created since 2018 is: an RSA (SHA1) signature cannot match.
  if (params.sign_type === "RSA") throw invalidArgument("isv.invalid-signature", "验签出错，sign值与sign_type参数指定的签名类型不一致");
  if (!verifyRsa2(content, params.sign, app.appPublicKey)) {
    // Alipay echoes the string it verified (HTML-escaped), which makes a wrong parameter easy to spot.
    throw invalidArgument(
      "isv.invalid-signature",
      `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content.replace(/&/g, "&amp;")}`,
    );
  }
}
