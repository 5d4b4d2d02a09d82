import type { IncomingMessage, ServerResponse } from "node:http";
import { isRecord, readRawBody, sendJson } from "./http";

/**
 * SPEC §9's control API, the same for every sandbox: `POST <prefix>/<action>` with a JSON object, answered
 * `{ ok: true, ... }`, or `{ ok: false, error }` with the status of a ControlError.
 */

/** A refusal of a control action (unknown order, wrong state, bad input); `subCode` names a platform code. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly subCode?: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

/** A control action's string field: non-empty, at most `max` characters; absent allowed unless required. */
export function text(body: Body, field: string, required: true, max?: number): string;
export function text(body: Body, field: string, required: false, max?: number): string | undefined;
export function text(body: Body, field: string, required: boolean, max = 128): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value === "" || value.length > max) throw new ControlError(400, `${field} must be a non-empty string`);
  return value;
}

/** A control action's integer field, from 0 to `max`. */
export function wholeNumber(body: Body, field: string, max: number): number {
  const value = body[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max)
    throw new ControlError(400, `${field} must be an integer from 0 to ${max}`);
  return value;
}

/** The longest business-clock jump `clock` accepts. */
export const MAX_CLOCK_ADVANCE_SECONDS = 10 * 365 * 24 * 3600;

/** `drop`: the next `count` notifications are lost on purpose, the same in every sandbox. */
export function dropAction(notifier: { drop(count: number): void; readonly pendingDrops: number }, body: Body): Record<string, unknown> {
  notifier.drop(wholeNumber(body, "count", 1000));
  return { pending_drops: notifier.pendingDrops };
}

export type ControlAction<Context> = (ctx: Context, body: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** Runs `action` from `actions`; false when it is not one of them (the caller serves other paths). */
export async function serveControlAction<Context>(
  actions: Record<string, ControlAction<Context>>,
  ctx: Context,
  action: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const run = Object.prototype.hasOwnProperty.call(actions, action) ? actions[action] : undefined;
  if (!run) return false;
  if (req.method !== "POST") {
    sendJson(res, 405, { ok: false, error: `use POST for ${action}` });
    return true;
  }
  try {
    const raw = await readRawBody(req);
    if (raw === undefined) throw new ControlError(413, "body too large");
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
    } catch {
      throw new ControlError(400, "body must be JSON");
    }
    if (!isRecord(body)) throw new ControlError(400, "body must be a JSON object");
    sendJson(res, 200, { ok: true, ...(await run(ctx, body)) });
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    sendJson(res, error.status, { ok: false, error: error.message, ...(error.subCode ? { sub_code: error.subCode } : {}) });
  }
  return true;
}
