import { VkPayError } from "./errors";

export interface Success<T> {
  code: 0;
  msg: "success";
  data: T;
}

export interface Failure {
  code: number;
  msg: string;
  errCode: string;
}

/** What every public call resolves to; it never throws at its caller. */
export type Result<T> = Success<T> | Failure;

export type Logger = (line: string) => void;

/**
 * Runs one public call and maps whatever it throws, once, to the envelope. Unknown errors become a
 * generic failure: their message may carry internals (a key path, a stack), so it goes to the log only.
 */
export async function respond<T>(operation: string, work: () => Promise<T>, log: Logger = console.error): Promise<Result<T>> {
  try {
    return { code: 0, msg: "success", data: await work() };
  } catch (error) {
    if (error instanceof VkPayError) {
      // The user reads `message`; what went wrong in the protocol's words goes to the log only.
      if (error.detail) log(`vk-uni-pay ${operation}: ${error.errCode}: ${error.detail}`);
      return { code: error.code, msg: error.message, errCode: error.errCode };
    }
    log(`vk-uni-pay ${operation} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { code: 500, msg: "服务器内部错误，请稍后再试", errCode: "vk-pay-internal-error" };
  }
}
