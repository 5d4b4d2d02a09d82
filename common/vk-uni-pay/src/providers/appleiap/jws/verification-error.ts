import { SignatureError } from "../../../core/errors";

/**
 * The verdicts of Apple's SignedDataVerifier (app-store-server-library `VerificationStatus`), kept by name
 * so a log line reads the same as Apple's library would report it.
 *
 * @see https://github.com/apple/app-store-server-library-node/blob/main/jws_verification.ts
 */
export type AppleVerificationStatus =
  | "VERIFICATION_FAILURE"
  | "RETRYABLE_VERIFICATION_FAILURE"
  | "INVALID_APP_IDENTIFIER"
  | "INVALID_ENVIRONMENT"
  | "INVALID_CHAIN_LENGTH"
  | "INVALID_CERTIFICATE"
  | "FAILURE";

/** A signed App Store payload that did not verify: nothing it says may change state. */
export class AppleVerificationError extends SignatureError {
  readonly status: AppleVerificationStatus;

  constructor(status: AppleVerificationStatus, detail: string) {
    super("appleiap-signature-invalid", `App Store JWS refused (${status}): ${detail}`);
    this.status = status;
  }
}
