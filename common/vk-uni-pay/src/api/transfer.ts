import { failures } from "../core/errors";
import { respond, type Result } from "../core/result";
import { productionDeps, type ApiDeps } from "./shared";

/**
 * Transfers to users (SPEC §4: `transfer`, `queryTransfer`, `cancelTransfer`, and the admin list and a
 * payee's pending ones) are part of the API but not built yet. Until they are, every one of them answers
 * 4001 `vk-pay-transfer-not-available`, so callers and routes exist with their final names and a caller
 * learns why nothing happened instead of meeting a missing route.
 */
function notAvailable(name: string, deps: ApiDeps): Promise<Result<never>> {
  return respond(
    name,
    async () => {
      throw failures.transferNotAvailable();
    },
    deps.log,
  );
}

export const transfer = (_params: unknown, deps: ApiDeps = productionDeps()) => notAvailable("transfer", deps);
export const queryTransfer = (_params: unknown, deps: ApiDeps = productionDeps()) => notAvailable("queryTransfer", deps);
export const cancelTransfer = (_params: unknown, deps: ApiDeps = productionDeps()) => notAvailable("cancelTransfer", deps);
export const listTransfers = (_params: unknown, deps: ApiDeps = productionDeps()) => notAvailable("listTransfers", deps);
export const pendingTransfers = (_params: unknown, deps: ApiDeps = productionDeps()) => notAvailable("pendingTransfers", deps);
