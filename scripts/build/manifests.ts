import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT } from "./paths";
import { pluginDescription } from "./provider-table";

const version = (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The timer drives reconciliation: every five minutes, in uniCloud's 7-field cron. */
const RECONCILE_TRIGGER = { name: "vk-pay-reconcile", type: "timer", config: "0 */5 * * * * *" };

/** What HBuilderX applies on upload; `path` makes notifications reachable over HTTP. */
const CLOUD_FUNCTION_CONFIG = {
  concurrency: 1,
  memorySize: 512,
  timeout: 60,
  path: "/http/vk-pay",
  runtime: "Nodejs18",
  triggers: [RECONCILE_TRIGGER],
};

type Dependencies = Record<string, string>;

export function functionManifest(dependencies: Dependencies) {
  return {
    name: "vk-pay",
    version,
    description: "vk-pay: routes for uni-app clients and payment notifications",
    main: "index.js",
    dependencies,
    extensions: {},
    "cloudfunction-config": CLOUD_FUNCTION_CONFIG,
  };
}

export function commonModuleManifest(name: string, description: string, dependencies: Dependencies = {}) {
  return { name, version, description, main: "index.js", dependencies };
}

/** In the local space every module is a sibling under `cloudfunctions/common/`. */
export const localFunctionDependencies: Dependencies = {
  "vk-uni-pay": "file:../common/vk-uni-pay",
  "uni-config-center": "file:../common/uni-config-center",
  "uni-id-common": "file:../common/uni-id-common",
};

/** In a user's project DCloud's modules are their own uni_modules, beside this plugin. */
export const pluginFunctionDependencies: Dependencies = {
  "vk-uni-pay": "file:../common/vk-uni-pay",
  "uni-config-center": "file:../../../../uni-config-center/uniCloud/cloudfunctions/common/uni-config-center",
  "uni-id-common": "file:../../../../uni-id-common/uniCloud/cloudfunctions/common/uni-id-common",
};

export const pluginLibraryDependencies: Dependencies = {
  "uni-config-center": "file:../../../../../uni-config-center/uniCloud/cloudfunctions/common/uni-config-center",
};

export function pluginManifest() {
  return {
    id: "vk-uni-pay",
    displayName: "vk-uni-pay 万能支付",
    version,
    // From the provider registry, so the market page never promises a provider that is not built.
    description: pluginDescription(),
    keywords: ["支付", "微信支付", "支付宝", "uniCloud", "vk-pay"],
    engines: { HBuilderX: "^3.6.0" },
    dcloudext: {
      type: "unicloud-template-function",
      sale: { regular: { price: "0.00" }, sourcecode: { price: "0.00" } },
      contact: { qq: "" },
      declaration: { ads: "无", data: "插件不采集任何数据", permissions: "无" },
      npmurl: "",
    },
    uni_modules: {
      dependencies: ["uni-config-center", "uni-id-common"],
      encrypt: [],
      platforms: {
        cloud: { tcb: "y", aliyun: "y", alipay: "y" },
        client: {
          App: { "app-vue": "y", "app-nvue": "y" },
          "H5-mobile": { Safari: "y", "Android Browser": "y", "微信浏览器(Android)": "y", "QQ浏览器(Android)": "y" },
          "H5-pc": { Chrome: "y" },
          小程序: { 微信: "y", 阿里: "y", 字节跳动: "y" },
        },
      },
    },
  };
}
