import { merchantConfig, type PayConfig } from "../core/config";
import { checkPid, payConfigFor } from "../core/merchants";
import { ConfigError, failures, ValidationError } from "../core/errors";
import { respond, type Result } from "../core/result";
import { configPathOf } from "../core/trade-type";
import { findProvider, registeredProviders } from "../providers/registry";
import type { LoginMethod, LoginResult, MerchantConfig, PaymentProvider } from "../kernel/contract";
import { productionDeps, type ApiDeps } from "./shared";

export interface LoginParams {
  code: string;
  /** Picks the sub-config whose `appId` this is, among the ones the login may use; the login's own one when absent. */
  appid?: string;
  /** Multi-merchant `vk-pay-config` row, accepted as createPayment accepts it. */
  pid?: string;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.length > 64) throw new ValidationError(-1, `${name}-invalid`, `${name}必须是字符串`);
  return value;
}

function configForApp(config: PayConfig, provider: PaymentProvider, method: LoginMethod, appid: string | undefined): MerchantConfig {
  if (appid === undefined) return merchantConfig(config, configPathOf(provider, method.configKey));
  for (const key of [method.configKey, ...(method.alsoConfigKeys ?? [])]) {
    let sub: MerchantConfig | undefined;
    try {
      sub = merchantConfig(config, configPathOf(provider, key));
    } catch {
      continue;
    }
    if (sub.appId === appid) return sub;
  }
  throw new ConfigError(`${provider.name}-appid-unknown`, `uni-pay/config.js 中没有 appId 为 ${appid.slice(0, 32)} 的 ${provider.name} 配置`);
}

/** The provider that offers the login `name` (each login's name is unique across providers). */
function loginProvider(name: string, deps: Pick<ApiDeps, "findProvider" | "providerNames">): { provider: PaymentProvider; method: LoginMethod } | undefined {
  for (const providerName of deps.providerNames()) {
    const provider = deps.findProvider(providerName);
    const method = provider?.capabilities.login?.find((login) => login.name === name);
    if (provider?.code2Session && method) return { provider, method };
  }
  return undefined;
}

/**
 * A provider's login by its name (`code2SessionWeixinMP`, `code2SessionAlipay`, …): a client's one-time
 * code → the user's id there (`openid`, and what else the platform names). Session keys and tokens stay
 * on the server, kept by the provider where it needs them later.
 */
export function code2Session(name: string, params: LoginParams, deps: ApiDeps = productionDeps()): Promise<Result<LoginResult>> {
  return respond(
    name,
    async () => {
      const code = params?.code;
      if (typeof code !== "string" || !code || code.length > 256) throw failures.codeMissing();
      const found = loginProvider(name, deps);
      if (!found) throw new ConfigError("login-unavailable", `登录方式 ${name.slice(0, 64)} 暂不可用`);
      const config = configForApp(await payConfigFor(deps, checkPid(params.pid)), found.provider, found.method, optionalText(params.appid, "appid"));
      return found.provider.code2Session!({ method: name, code, config }, deps.runtime);
    },
    deps.log,
  );
}

/** Every registered provider's logins, by the public route a client calls (the router serves each). */
export function loginRoutes(
  deps: Pick<ApiDeps, "findProvider" | "providerNames"> = { findProvider, providerNames: registeredProviders },
): Array<{ route: string; name: string; provider: string }> {
  return deps
    .providerNames()
    .flatMap((providerName) =>
      (deps.findProvider(providerName)?.capabilities.login ?? []).map((login) => ({ route: login.route, name: login.name, provider: providerName })),
    );
}

/** `vkPay.<name>(params)` for a login the manual names; the provider offering it answers. */
export function loginCall(name: string): (params: LoginParams, deps?: ApiDeps) => Promise<Result<LoginResult>> {
  return (params, deps) => code2Session(name, params, deps);
}
