import { AsyncLocalStorage } from "node:async_hooks";
import type { FunctionContext } from "./context";

/**
 * The request being served, so that `uniCloud.getClientInfos()` and friends answer for the
 * caller even when several requests are in flight in one process (per-instance concurrency).
 */
export const currentInvocation = new AsyncLocalStorage<FunctionContext>();
