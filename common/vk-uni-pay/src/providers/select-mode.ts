import type { PaymentSituation, SelectedMode } from "../kernel/contract";

/** A mode the situation pays in; `needsOpenid` and `qrcode` default to false. */
export function mode(name: string, flags: { qrcode?: boolean; needsOpenid?: boolean } = {}): SelectedMode {
  return { mode: name, qrcode: flags.qrcode ?? false, needsOpenid: flags.needsOpenid ?? false };
}

/**
 * The rule a provider with no platform quirks follows (a plugged-in one, the test provider): a pay code
 * pays in `codepay`, a QR code or a PC in `h5`, anything else in the client's platform; each only if declared.
 */
export function selectDeclaredMode(modes: readonly string[], situation: PaymentSituation): SelectedMode | undefined {
  const wanted = situation.payCode ? "codepay" : situation.needQRcode || situation.isPC ? "h5" : situation.platform;
  if (!wanted || !modes.includes(wanted)) return undefined;
  return mode(wanted, { qrcode: wanted === "h5" });
}
