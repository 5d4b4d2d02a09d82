/** Who may call a route: anyone, a logged-in user, or a user with the `admin` role. */
export type Access = "public" | "user" | "admin";

/** The uniCloud context, with the caller's platform settled (client info or `vk_platform`). */
export interface RouterContext {
  SOURCE?: string;
  PLATFORM?: string;
  APPID?: string;
  LOCALE?: string;
  CLIENTIP?: string;
  CLIENTUA?: string;
  DEVICEID?: string;
  SPACEINFO?: { spaceId: string; provider?: string };
  requestId?: string;
  [key: string]: unknown;
}

export interface RouteRequest {
  url: string;
  /** The caller's data, without router-owned keys (`uid`, `vk_platform`, `vk_appid`). */
  data: Record<string, unknown>;
  /** From the verified token only; never from `data`. */
  uid?: string;
  role: string[];
  context: RouterContext;
}

export interface SuccessReply {
  code: 0;
  msg: string;
  data?: unknown;
}

export interface FailureReply {
  code: number;
  msg: string;
  errCode: string;
}

export type RouteReply = SuccessReply | FailureReply;

/** A file under `router/service/`: its path is its `url`. */
export interface RouteModule {
  access: Access;
  main(request: RouteRequest): Promise<RouteReply>;
}

export type RouteTable = Record<string, () => RouteModule>;
