import { X509Certificate } from "node:crypto";
import { Environment, SignedDataVerifier, VerificationException, VerificationStatus } from "@apple/app-store-server-library";
import { AppleSignedDataVerifier } from "../../common/vk-uni-pay/src/providers/appleiap/jws/verifier";
import { AppleVerificationError } from "../../common/vk-uni-pay/src/providers/appleiap/jws/verification-error";
import type { AppleEnvironment } from "../../common/vk-uni-pay/src/providers/appleiap/jws/payloads";

/**
 * Apple's own SignedDataVerifier (@apple/app-store-server-library, a dev dependency) as the oracle: the
 * same input gets the same verdict from it and from the library's verifier, or the test says why not.
 */

export type Kind = "transaction" | "renewalInfo" | "notification";

export interface VerifierSetup {
  roots: Buffer[];
  environment: AppleEnvironment;
  bundleId: string;
  appAppleId?: number;
  /** The instant "now" is, for the verifier under test (the oracle reads the real clock). */
  now?: number;
  innerDateFallback?: boolean;
}

export async function oursVerdict(setup: VerifierSetup, kind: Kind, jws: string): Promise<string> {
  const verifier = new AppleSignedDataVerifier({
    roots: setup.roots.map((der) => new X509Certificate(der)),
    environment: setup.environment,
    bundleId: setup.bundleId,
    ...(setup.appAppleId !== undefined ? { appAppleId: setup.appAppleId } : {}),
    onlineChecks: false,
    now: () => setup.now ?? Date.now(),
    ...(setup.innerDateFallback ? { innerDateFallback: true } : {}),
  });
  try {
    if (kind === "transaction") await verifier.verifyTransaction(jws);
    else if (kind === "renewalInfo") await verifier.verifyRenewalInfo(jws);
    else await verifier.verifyNotification(jws);
    return "OK";
  } catch (error) {
    if (error instanceof AppleVerificationError) return error.status;
    throw error;
  }
}

export async function oracleVerdict(setup: VerifierSetup, kind: Kind, jws: string): Promise<string> {
  const environment = setup.environment === "Production" ? Environment.PRODUCTION : Environment.SANDBOX;
  const verifier = new SignedDataVerifier(setup.roots, false, environment, setup.bundleId, setup.appAppleId);
  try {
    if (kind === "transaction") await verifier.verifyAndDecodeTransaction(jws);
    else if (kind === "renewalInfo") await verifier.verifyAndDecodeRenewalInfo(jws);
    else await verifier.verifyAndDecodeNotification(jws);
    return "OK";
  } catch (error) {
    if (error instanceof VerificationException) return VerificationStatus[error.status] ?? String(error.status);
    throw error;
  }
}
