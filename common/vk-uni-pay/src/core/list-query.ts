import { ValidationError } from "./errors";

/** A time window on a date field: `gte` inclusive, `lt` exclusive, both ms timestamps. */
export interface DateRange {
  gte?: number;
  lt?: number;
}

/** What an admin list may filter and sort on: plain fields with plain values, nothing an operator could hide in. */
export interface ListQuery {
  where: Record<string, string | number | boolean>;
  /** Windows on the list's date fields (`create_date: { gte, lt }`), the only objects a `where` may hold. */
  ranges: Record<string, DateRange>;
  orderBy: string;
  pageIndex: number;
  pageSize: number;
}

const MAX_PAGE_SIZE = 100;

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean";
}

/**
 * The seed's list form (`where`, `orderBy: "create_date desc"`, `pageIndex`, `pageSize`), checked
 * against the fields a list allows; `{ "$gt": "" }` and other objects where values belong are refused.
 */
function parseRange(key: string, value: Record<string, unknown>): DateRange {
  const range: DateRange = {};
  for (const [bound, limit] of Object.entries(value)) {
    if ((bound !== "gte" && bound !== "lt") || !Number.isSafeInteger(limit))
      throw new ValidationError(-1, "where-invalid", `${key} 只能是时间戳或 { gte, lt } 时间戳范围`);
    range[bound] = limit as number;
  }
  return range;
}

export function parseListQuery(data: Record<string, unknown>, fields: readonly string[], defaultOrder: string, dateFields: readonly string[] = []): ListQuery {
  const where: Record<string, string | number | boolean> = {};
  const ranges: Record<string, DateRange> = {};
  const given = data.where ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) throw new ValidationError(-1, "where-invalid", "where必须是对象");
  for (const [key, value] of Object.entries(given)) {
    if (!fields.includes(key)) throw new ValidationError(-1, "where-invalid", `不支持按 ${key} 查询`);
    if (dateFields.includes(key) && typeof value === "object" && value !== null && !Array.isArray(value)) {
      ranges[key] = parseRange(key, value as Record<string, unknown>);
      continue;
    }
    if (!isScalar(value)) throw new ValidationError(-1, "where-invalid", `${key} 的值必须是字符串、数字或布尔值`);
    where[key] = value;
  }
  const orderBy = data.orderBy ?? defaultOrder;
  if (typeof orderBy !== "string") throw new ValidationError(-1, "order-by-invalid", "orderBy格式不正确");
  for (const part of orderBy.split(",")) {
    const [field, direction = "asc", extra] = part.trim().split(/\s+/);
    if (!field || extra !== undefined || !fields.includes(field) || !["asc", "desc"].includes(direction.toLowerCase()))
      throw new ValidationError(-1, "order-by-invalid", "orderBy格式不正确");
  }
  const pageIndex = data.pageIndex ?? 1;
  const pageSize = data.pageSize ?? 20;
  if (!Number.isSafeInteger(pageIndex) || (pageIndex as number) < 1) throw new ValidationError(-1, "page-invalid", "pageIndex必须是正整数");
  if (!Number.isSafeInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > MAX_PAGE_SIZE)
    throw new ValidationError(-1, "page-invalid", `pageSize必须是1到${MAX_PAGE_SIZE}的整数`);
  return { where, ranges, orderBy, pageIndex: pageIndex as number, pageSize: pageSize as number };
}
