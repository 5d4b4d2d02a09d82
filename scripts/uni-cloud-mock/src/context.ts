import { randomUUID } from "node:crypto";

/** Where a call came from, as uniCloud reports it in `context.SOURCE`. */
export type CallSource = "client" | "http" | "timing" | "function" | "server";

/** What a uni-app client reports about itself (the legacy upper-case keys uni-id and VK read). */
export interface ClientInfo {
  PLATFORM?: string;
  APPID?: string;
  OS?: string;
  DEVICEID?: string;
  LOCALE?: string;
  [key: string]: unknown;
}

export interface SpaceInfo {
  spaceId: string;
  provider: string;
}

export interface FunctionContext extends ClientInfo {
  SPACEINFO: SpaceInfo;
  SOURCE: CallSource;
  FUNCTION_NAME: string;
  FUNCTION_TYPE: "cloudfunction";
  CLIENTIP: string;
  CLIENTUA: string;
  RUNTIME_ENV: "local";
  requestId: string;
  uniIdToken?: string;
}

export interface ContextInput {
  functionName: string;
  source: CallSource;
  space: SpaceInfo;
  clientIP?: string;
  userAgent?: string;
  clientInfo?: ClientInfo;
  uniIdToken?: string;
}

/** Only these client-reported keys reach the context: a client cannot forge runtime fields such as SOURCE. */
const CLIENT_KEYS = ["PLATFORM", "APPID", "OS", "DEVICEID", "LOCALE"] as const;

/**
 * Builds a fresh context per request, as uniCloud does. Client information is attached only to
 * client calls: HTTP, timer and function-to-function calls carry none.
 */
export function createContext(input: ContextInput): FunctionContext {
  const context: FunctionContext = {
    SPACEINFO: { ...input.space },
    SOURCE: input.source,
    FUNCTION_NAME: input.functionName,
    FUNCTION_TYPE: "cloudfunction",
    CLIENTIP: input.clientIP ?? "127.0.0.1",
    CLIENTUA: input.userAgent ?? "",
    RUNTIME_ENV: "local",
    requestId: randomUUID(),
  };
  if (input.source === "client" && input.clientInfo) {
    for (const key of CLIENT_KEYS) {
      const value = input.clientInfo[key];
      if (typeof value === "string") context[key] = value;
    }
  }
  if (typeof input.uniIdToken === "string" && input.uniIdToken) context.uniIdToken = input.uniIdToken;
  return context;
}

/** `uniCloud.getClientInfos()` entry for the current request, in the camelCase shape of HBuilderX 3.4.9+. */
export function describeClient(context: FunctionContext) {
  return {
    appId: context.APPID,
    uniPlatform: context.PLATFORM,
    osName: context.OS,
    deviceId: context.DEVICEID,
    locale: context.LOCALE,
    requestId: context.requestId,
    clientIP: context.CLIENTIP,
    userAgent: context.CLIENTUA,
    source: context.SOURCE,
  };
}

export function describeCloud(context: FunctionContext) {
  return {
    provider: context.SPACEINFO.provider,
    spaceId: context.SPACEINFO.spaceId,
    functionName: context.FUNCTION_NAME,
    functionType: context.FUNCTION_TYPE,
    requestId: context.requestId,
  };
}
