/**
 * Errors baseDao throws itself. Stable string codes so a route can map them once; database errors from
 * uniCloud pass through untouched (they already carry `errCode`).
 */
export type BaseDaoErrorCode =
  /** The call was malformed: caught before anything reached the database. */
  | "VK_BASE_DAO_INVALID_PARAM"
  /** The database handle lacks a feature the call needs (e.g. transactions). */
  | "VK_BASE_DAO_UNSUPPORTED"
  /** A bounded scan hit its bound; answering would mean a partial (wrong) result. */
  | "VK_BASE_DAO_LIMIT_EXCEEDED";

export class BaseDaoError extends Error {
  readonly code: BaseDaoErrorCode;

  constructor(code: BaseDaoErrorCode, message: string) {
    super(message);
    this.name = "BaseDaoError";
    this.code = code;
  }
}

export function invalidParam(method: string, message: string): BaseDaoError {
  return new BaseDaoError("VK_BASE_DAO_INVALID_PARAM", `vk.baseDao.${method}: ${message}`);
}

export function unsupported(method: string, message: string): BaseDaoError {
  return new BaseDaoError("VK_BASE_DAO_UNSUPPORTED", `vk.baseDao.${method}: ${message}`);
}
