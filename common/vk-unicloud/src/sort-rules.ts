import type { SortDirection } from "./database-types";
import { invalidParam } from "./errors";
import { describe, isPlainObject } from "./validate";

export interface SortRule {
  name: string;
  type: SortDirection;
}

const FIELD_PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

/**
 * VK's `sortArr: [{ name, type }]`, or the SQL-like `orderBy: "create_date desc, _id asc"` the seed docs
 * use. Both are turned into one list of rules, applied in order (first rule is the primary key).
 */
export function readSortRules(method: string, sortArr: unknown, orderBy: unknown): SortRule[] {
  if (sortArr !== undefined && orderBy !== undefined) {
    throw invalidParam(method, "pass either sortArr or orderBy, not both");
  }
  if (orderBy !== undefined) return parseOrderBy(method, orderBy);
  if (sortArr === undefined || sortArr === null) return [];
  if (!Array.isArray(sortArr)) throw invalidParam(method, `sortArr must be an array, got ${describe(sortArr)}`);
  return sortArr.map((rule, index) => {
    if (!isPlainObject(rule)) throw invalidParam(method, `sortArr[${index}] must be { name, type }, got ${describe(rule)}`);
    const type = rule.type === undefined ? "asc" : rule.type;
    return checkRule(method, rule.name, type, `sortArr[${index}]`);
  });
}

function parseOrderBy(method: string, orderBy: unknown): SortRule[] {
  if (typeof orderBy !== "string") throw invalidParam(method, `orderBy must be a string like "create_date desc", got ${describe(orderBy)}`);
  if (orderBy.trim() === "") return [];
  return orderBy.split(",").map((part, index) => {
    const words = part.trim().split(/\s+/);
    if (words.length > 2 || words[0] === "") throw invalidParam(method, `orderBy part ${index + 1} ("${part.trim()}") is not "field [asc|desc]"`);
    return checkRule(method, words[0], (words[1] ?? "asc").toLowerCase(), `orderBy part ${index + 1}`);
  });
}

function checkRule(method: string, name: unknown, type: unknown, where: string): SortRule {
  if (typeof name !== "string" || !FIELD_PATH.test(name)) {
    throw invalidParam(method, `${where}: sort field must be a field path, got ${typeof name === "string" ? JSON.stringify(name) : describe(name)}`);
  }
  if (type !== "asc" && type !== "desc") {
    throw invalidParam(method, `${where}: sort direction must be "asc" or "desc", got ${typeof type === "string" ? JSON.stringify(type) : describe(type)}`);
  }
  return { name, type };
}
