import { UniIdError } from "./errors";
import type { UniIdDatabase } from "./types";

export const USERS = "uni-id-users";
export const ROLES = "uni-id-roles";

/** The `uni-id-users` fields the token layer reads. */
export interface UserRecord {
  _id: string;
  status?: number;
  role?: unknown;
  token?: unknown;
  /** Milliseconds; tokens issued before it (a password change) are no longer valid. */
  valid_token_date?: number;
}

/** `uni-id-users.status` → the failure uni-id reports; 0 (or no status) is a normal account. */
const STATUS_FAILURES = {
  1: "uni-id-account-banned",
  2: "uni-id-account-auditing",
  3: "uni-id-account-audit-failed",
  4: "uni-id-account-closed",
} as const;

export function assertAccountUsable(user: UserRecord): void {
  const status = user.status ?? 0;
  if (status === 0) return;
  // An unknown status is treated as banned: refusing is the safe reading of a state we do not know.
  throw new UniIdError(STATUS_FAILURES[status as keyof typeof STATUS_FAILURES] ?? "uni-id-account-banned");
}

/** `doc().get()` returns an array, except inside transactions and on Alipay's old bug. */
function firstRow(data: unknown): unknown {
  return Array.isArray(data) ? data[0] : (data ?? undefined);
}

export async function findUser(db: UniIdDatabase, uid: string): Promise<UserRecord | undefined> {
  const { data } = await db.collection(USERS).doc(uid).get();
  const row = firstRow(data);
  return row && typeof row === "object" ? (row as UserRecord) : undefined;
}

export async function requireUser(db: UniIdDatabase, uid: string): Promise<UserRecord> {
  const user = await findUser(db, uid);
  if (!user) throw new UniIdError("uni-id-account-not-exists");
  return user;
}

export function rolesOf(user: UserRecord): string[] {
  return Array.isArray(user.role) ? user.role.filter((role): role is string => typeof role === "string") : [];
}

/**
 * Permissions granted by `roles` in `uni-id-roles`. `admin` has every right implicitly, so uni-id gives
 * it an empty list and callers check the role itself.
 */
export async function permissionsOf(db: UniIdDatabase | undefined, roles: string[]): Promise<string[]> {
  if (roles.length === 0 || roles.includes("admin") || !db) return [];
  const { data } = await db
    .collection(ROLES)
    .where({ role_id: db.command.in(roles) })
    .limit(1000)
    .get();
  const permissions = new Set<string>();
  for (const row of data as Array<{ permission?: unknown }>) {
    if (!Array.isArray(row.permission)) continue;
    for (const permission of row.permission) if (typeof permission === "string") permissions.add(permission);
  }
  return [...permissions];
}

/**
 * Appends with one atomic `push … slice` so two logins at once cannot drop each other's token, and
 * the list never grows past `maxTokenLength`. `updated: 0` means there is no such user row.
 */
export async function recordToken(
  db: UniIdDatabase,
  uid: string,
  token: string,
  maxTokenLength: number,
  extra: Record<string, unknown> = {},
): Promise<boolean> {
  const result = await db
    .collection(USERS)
    .doc(uid)
    .update({ ...extra, token: db.command.push({ each: [token], slice: -maxTokenLength }) });
  return (result.updated ?? 0) > 0;
}
