/**
 * What the generated config gives each sandbox's `codepay` block. The sandboxes answer at once, so a pay
 * code still being confirmed is asked about every half second and cancelled after three; the library's
 * defaults (5 s, 30 s) are WeChat's and Alipay's guidance for production.
 */
export const SANDBOX_CODEPAY_TIMING = Object.freeze({ codepayPollIntervalMs: 500, codepayMaxWaitMs: 3000 });
