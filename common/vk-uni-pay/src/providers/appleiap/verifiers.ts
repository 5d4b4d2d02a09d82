import { NetworkError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import { ocspRevocationCheck } from "./jws/ocsp";
import { AppleSignedDataVerifier } from "./jws/verifier";
import { AppleVerificationError } from "./jws/verification-error";
import type { AppleEnvironment, AppleTransaction } from "./jws/payloads";
import type { AppleMerchant } from "./merchant";

/**
 * The verifiers a merchant's data may be checked with: Production always, Sandbox only when the config
 * enables it. A JWS is tried against Production first and against Sandbox only if Apple's own verdict is
 * INVALID_ENVIRONMENT, so a Sandbox purchase is never accepted by a Production-only app.
 */
export function appleVerifiers(merchant: AppleMerchant, runtime: ProviderRuntime, onlineChecks = merchant.onlineChecks): AppleSignedDataVerifier[] {
  // Online: certificates at the current time and OCSP for the leaf and the intermediate, as Apple's library does.
  const common = {
    roots: merchant.roots,
    bundleId: merchant.bundleId,
    onlineChecks,
    now: () => runtime.now(),
    ...(onlineChecks ? { revocation: ocspRevocationCheck(runtime, merchant.timeoutMs) } : {}),
  };
  const environments: AppleEnvironment[] = merchant.sandbox ? ["Production", "Sandbox"] : ["Production"];
  return environments.flatMap((environment) => {
    // Apple's library refuses to build a Production verifier without the app's Apple id; so does this one.
    if (environment === "Production" && merchant.appAppleId === undefined) return [];
    return [new AppleSignedDataVerifier({ ...common, environment, ...(merchant.appAppleId !== undefined ? { appAppleId: merchant.appAppleId } : {}) })];
  });
}

export async function verifyWithEither<T>(
  verifiers: readonly AppleSignedDataVerifier[],
  verify: (verifier: AppleSignedDataVerifier) => Promise<T>,
): Promise<T> {
  let last: unknown = new AppleVerificationError(
    "INVALID_ENVIRONMENT",
    "no verifier is configured for this environment (appAppleId for Production, sandbox: true for Sandbox)",
  );
  for (const verifier of verifiers) {
    try {
      return await verify(verifier);
    } catch (error) {
      // OCSP could not be asked: not a verdict on the data, so a notification is answered 5xx for Apple to retry.
      if (error instanceof AppleVerificationError && error.status === "RETRYABLE_VERIFICATION_FAILURE") throw new NetworkError();
      if (!(error instanceof AppleVerificationError) || error.status !== "INVALID_ENVIRONMENT") throw error;
      last = error;
    }
  }
  throw last;
}

export function verifyAppleTransaction(merchant: AppleMerchant, runtime: ProviderRuntime, jws: unknown, onlineChecks?: boolean): Promise<AppleTransaction> {
  return verifyWithEither(appleVerifiers(merchant, runtime, onlineChecks), (verifier) => verifier.verifyTransaction(jws));
}
