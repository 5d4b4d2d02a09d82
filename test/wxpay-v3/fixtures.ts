import { readFileSync } from "node:fs";
import path from "node:path";

/** Reads the published WeChat Pay v3 test vectors copied under test/fixtures/wechat-v3 (origins in its README). */
const DIR = path.join(__dirname, "..", "fixtures", "wechat-v3");

export function fixtureText(name: string): string {
  return readFileSync(path.join(DIR, name), "utf8");
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

export interface NotifyVector {
  headers: Record<string, string>;
  rawBody: string;
  apiV3Key: string;
  expectedPlaintext?: string;
}

export const GO_KEY = () => fixtureText("wechatpay-go_test_private_key.pem");
export const GO_PLATFORM_CERT = () => fixtureText("wechatpay-go_platform_cert_D7CE59D1F522D701.pem");
export const YANSONGDA_KEY = () => fixtureText("yansongda_merchant_private_key.pem");
export const YANSONGDA_CERT = () => fixtureText("yansongda_merchant_cert_25F8AA5452D55497C24BA57DC81B1E5915DC2E77.pem");
export const GO_NOTIFY = () => fixtureJson<NotifyVector>("wechatpay-go_notify.json");
export const YANSONGDA_CALLBACK = () => fixtureJson<NotifyVector>("yansongda_v3_callback.json");
