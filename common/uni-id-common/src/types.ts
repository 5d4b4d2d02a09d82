/** What `createInstance` reads from a function's `context` (the legacy upper-case keys). */
export interface UniIdContext {
  APPID?: string;
  PLATFORM?: string;
  LOCALE?: string;
  CLIENTIP?: string;
  DEVICEID?: string;
  [key: string]: unknown;
}

/** A cloud object's `this.getClientInfo()`. */
export interface UniIdClientInfo {
  appId?: string;
  uniPlatform?: string;
  platform?: string;
  locale?: string;
  clientIP?: string;
  deviceId?: string;
  [key: string]: unknown;
}

/** One app's block of `uni-config-center/uni-id/config.json`; the file may also be an array of them. */
export interface UniIdConfig {
  dcloudAppid?: string;
  isDefaultConfig?: boolean;
  tokenSecret?: string;
  tokenExpiresIn?: number;
  tokenExpiresThreshold?: number;
  maxTokenLength?: number;
  [key: string]: unknown;
}

export interface CreateInstanceOptions {
  context?: UniIdContext;
  clientInfo?: UniIdClientInfo;
  /** Used instead of uni-config-center's `uni-id/config.json`. */
  config?: UniIdConfig | UniIdConfig[];
}

export interface TokenPayload {
  uid: string;
  role: string[];
  permission: string[];
  uniIdVersion?: string;
  iat: number;
  exp: number;
  [key: string]: unknown;
}

/** A token's payload once its signature and claims are checked; old tokens may lack role/permission. */
export interface VerifiedPayload {
  uid: string;
  role?: string[];
  permission?: string[];
  uniIdVersion?: unknown;
  iat: number;
  exp: number;
  [key: string]: unknown;
}

export interface CreateTokenResult {
  errCode: 0;
  token: string;
  /** Milliseconds, unlike the token's own `exp`. */
  tokenExpired: number;
}

export interface CheckTokenResult {
  code: 0;
  errCode: 0;
  uid: string;
  role: string[];
  permission: string[];
  iat: number;
  exp: number;
  /** Present only when the token was near expiry and was replaced: hand both back to the client. */
  token?: string;
  tokenExpired?: number;
  [key: string]: unknown;
}

/** The subset of `uniCloud.database()` this module uses. */
export interface UniIdDatabase {
  command: { push(value: unknown): unknown; in(values: unknown[]): unknown };
  collection(name: string): {
    doc(id: string): {
      get(): Promise<{ data: unknown[] | unknown }>;
      update(data: Record<string, unknown>): Promise<{ updated?: number }>;
    };
    where(query: Record<string, unknown>): { limit(n: number): { get(): Promise<{ data: unknown[] }> } };
  };
}
