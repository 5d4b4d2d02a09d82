import { ValidationError } from "./errors";

/** What an admin list may filter and sort on: plain fields with plain values, nothing an operator could hide in. */
export interface ListQuery {
  where: Record<string, string | number | boolean>;
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
export function parseListQuery(data: Record<string, unknown>, fields: readonly string[], defaultOrder: string): ListQuery {
  const where: Record<string, string | number | boolean> = {};
  const given = data.where ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) throw new ValidationError(-1, "where-invalid", "where必须是对象");
  for (const [key, value] of Object.entries(given)) {
    if (!fields.includes(key)) throw new ValidationError(-1, "where-invalid", `不支持按 ${key} 查询`);
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
  return { where, orderBy, pageIndex: pageIndex as number, pageSize: pageSize as number };
}
