/**
 * The WeChat Pay API v3 protocol layer: pure functions over `node:crypto`, no I/O, no database, no
 * globals beyond the per-process key cache. The adapter, the notification pipeline and the sandbox build
 * on these.
 */
export * from "./errors";
export * from "./keys";
export * from "./sign";
export * from "./verify";
export * from "./pay-params";
export * from "./sensitive";
export * from "./resource";
export * from "./certificates";
export * from "./mapping";
export type * from "./types";
