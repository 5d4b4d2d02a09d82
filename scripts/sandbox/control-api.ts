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

export type ControlAction<Context> = (ctx: Context, body: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** Runs `action` from `actions`; false when it is not one of them (the caller serves other paths). */
export async function serveControlAction<Context>(actions: Record<string, ControlAction<Context>>, ctx: Context, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
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
