/**
 * The provider-neutral part of a pay-code (付款码) payment whose outcome is not yet known: query at
 * intervals until the answer is final or the configured wait runs out, then cancel (撤销), asking again
 * while the provider says to. WeChat (micropay → reverse) and Alipay (trade.pay → trade.cancel) document
 * the same procedure; each provider supplies its own query and cancel calls.
 *
 * @see https://opendocs.alipay.com/open/194/106039 (当面付 条码支付: 轮询查询, 超时撤销)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=5_4 (支付结果未知时: 查询与撤销)
 */

/** Waits without blocking; injected so tests advance a fake clock instead of sleeping. */
export type CodepayWait = (ms: number) => Promise<void>;

export const realCodepayWait: CodepayWait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CodepayTiming {
  readonly pollIntervalMs: number;
  readonly maxWaitMs: number;
}

/** Both providers' guidance for a pay-code still being paid: query every 5 s, give up (and cancel) after 30 s. */
const DEFAULT_TIMING: CodepayTiming = Object.freeze({ pollIntervalMs: 5_000, maxWaitMs: 30_000 });

/**
 * `codepayPollIntervalMs` and `codepayMaxWaitMs` of a sub-config, in ms; `invalid` builds the provider's
 * own config error for a value that is not a positive whole number.
 */
export function readCodepayTiming(config: Readonly<Record<string, unknown>>, invalid: (field: string) => Error): CodepayTiming {
  const positiveMs = (field: string, fallback: number): number => {
    const value = config[field];
    if (value === undefined || value === null || value === "") return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw invalid(field);
    return value;
  };
  return Object.freeze({
    pollIntervalMs: positiveMs("codepayPollIntervalMs", DEFAULT_TIMING.pollIntervalMs),
    maxWaitMs: positiveMs("codepayMaxWaitMs", DEFAULT_TIMING.maxWaitMs),
  });
}

/**
 * Queries every `pollIntervalMs` until `isFinal` holds or `maxWaitMs` has passed (the round count bounds the
 * loop too, should the clock not advance). A query that fails (undefined) keeps the last answer.
 */
export async function pollCodepay<T>(
  timing: CodepayTiming,
  now: () => number,
  wait: CodepayWait,
  queryOnce: () => Promise<T | undefined>,
  isFinal: (answer: T) => boolean,
): Promise<{ final?: T; last?: T }> {
  const started = now();
  const rounds = Math.ceil(timing.maxWaitMs / timing.pollIntervalMs);
  let last: T | undefined;
  for (let round = 0; round < rounds && now() - started < timing.maxWaitMs; round++) {
    await wait(timing.pollIntervalMs);
    last = (await queryOnce()) ?? last;
    if (last !== undefined && isFinal(last)) return { final: last, last };
  }
  return last === undefined ? {} : { last };
}

/** What one cancel attempt answered: done, ask again (the provider's retry flag, or no answer), or give up. */
export type CancelAttempt = "done" | "retry" | "stop";

/** Cancels with up to `attempts` calls `retryMs` apart while the provider asks for a retry; true once done. */
export async function cancelCodepay(attempts: number, retryMs: number, wait: CodepayWait, attempt: () => Promise<CancelAttempt>): Promise<boolean> {
  for (let i = 1; i <= attempts; i++) {
    const outcome = await attempt();
    if (outcome === "done") return true;
    if (outcome === "stop") return false;
    if (i < attempts) await wait(retryMs);
  }
  return false;
}
