/**
 * The payment providers this build knows, by the `provider` part of a `pay_type`
 * (`wxpay_mp-weixin` → `wxpay`). Each provider issue adds one line here and nothing to the core.
 */
export interface NotificationProvider {
  readonly name: string;
}

const providers = new Map<string, NotificationProvider>();

export function findProvider(name: string): NotificationProvider | undefined {
  return providers.get(name);
}

export function registeredProviders(): string[] {
  return [...providers.keys()];
}
