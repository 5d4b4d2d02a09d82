import type { ServerResponse } from "node:http";
import { text, wholeNumber } from "./control-api";

/**
 * A fault for money-safety tests: the platform carries out a request, then its answer is lost on the way
 * back (the connection closes without a reply, as a timeout or a cut connection looks to the caller). A
 * caller that then retries with the same number must not pay twice.
 */
export interface LostAnswers {
  /** Loses the answers to the next `count` requests whose official path contains `pathPart` (any path when absent). */
  arm(count: number, pathPart?: string): void;
  /** Whether the answer to this request is to be lost (counting it off when it is). */
  take(path: string): boolean;
  readonly pending: number;
}

export function createLostAnswers(): LostAnswers {
  const armed: Array<string | undefined> = [];
  return {
    arm(count, pathPart) {
      for (let i = 0; i < count; i++) armed.push(pathPart);
    },
    take(path) {
      const index = armed.findIndex((part) => part === undefined || path.includes(part));
      if (index < 0) return false;
      armed.splice(index, 1);
      return true;
    },
    get pending() {
      return armed.length;
    },
  };
}

/** Closes the connection without a reply: the request was served, the caller hears nothing. */
export function loseAnswer(res: ServerResponse): void {
  res.socket?.destroy();
}

/** The control action `drop-response`: `{ count, path? }`, the next `count` answers (to `path`, if given) are lost after the platform acted. */
export function dropResponseAction(answers: LostAnswers, body: Record<string, unknown>): Record<string, unknown> {
  answers.arm(wholeNumber(body, "count", 100), text(body, "path", false, 256));
  return { pending_lost_answers: answers.pending };
}
