import { readFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { APPLE_ROOT_CA_G3_BASE64 } from "../../common/vk-uni-pay/src/providers/appleiap/jws/apple-root-ca-g3";
import { AppleSignedDataVerifier } from "../../common/vk-uni-pay/src/providers/appleiap/jws/verifier";
import { oracleVerdict, oursVerdict, type Kind, type VerifierSetup } from "./oracle";

/** Vectors AP-1 and AP-2 (test/fixtures/apple/README.md), each verdict checked against Apple's library. */

const FIXTURES = join(__dirname, "..", "fixtures", "apple");
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const mock = (name: string) => fixture(`app-store-server-library-node__mock_signed_data__${name}.jws`).toString("utf8").trim();
const TEST_CA = fixture("app-store-server-library-node__testCA.der");
const G3 = fixture("AppleRootCA-G3.der");

const testCa = (environment: "Sandbox" | "Production", bundleId = "com.example"): VerifierSetup => ({
  roots: [TEST_CA],
  environment,
  bundleId,
  appAppleId: 1234,
});
const g3 = (environment: "Sandbox" | "Production", bundleId: string, appAppleId?: number): VerifierSetup => ({
  roots: [G3],
  environment,
  bundleId,
  ...(appAppleId ? { appAppleId } : {}),
});

const didRenew = JSON.parse(fixture("gopay__notification_v2_test__DID_RENEW_sandbox.json").toString("utf8")) as { signedPayload: string };
const consumption = fixture("gopay__unsign_jwt_test__CONSUMPTION_REQUEST_production.jws").toString("utf8").trim();
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString("utf8"));
const renewInner = payloadOf(didRenew.signedPayload).data as { signedTransactionInfo: string; signedRenewalInfo: string };
const consumptionInner = payloadOf(consumption).data as { signedTransactionInfo: string };

async function expectSameVerdict(setup: VerifierSetup, kind: Kind, jws: string, expected: string): Promise<void> {
  const [ours, apple] = await Promise.all([oursVerdict(setup, kind, jws), oracleVerdict(setup, kind, jws)]);
  expect({ ours, apple }).toEqual({ ours: expected, apple: expected });
}

describe("the shipped Apple Root CA - G3", () => {
  it("is the certificate Apple publishes (fixture and SHA-256 fingerprint)", () => {
    const shipped = Buffer.from(APPLE_ROOT_CA_G3_BASE64, "base64");
    expect(shipped.equals(G3)).toBe(true);
    expect(new X509Certificate(shipped).fingerprint256).toBe("63:34:3A:BF:B8:9A:6A:03:EB:B5:7E:9B:3F:5F:A7:BE:7C:4F:5C:75:6F:30:17:B3:A8:C4:88:C3:65:3E:91:79");
  });
});

describe("AP-1: Apple's mock signed data, chained to Apple's test CA", () => {
  const cases: Array<[string, VerifierSetup, Kind, string, string]> = [
    ["a test notification, with the test CA trusted", testCa("Sandbox"), "notification", mock("testNotification"), "OK"],
    ["the test notification for a Production verifier", testCa("Production"), "notification", mock("testNotification"), "INVALID_ENVIRONMENT"],
    [
      "the test notification for another app Apple id in Production",
      { ...testCa("Production"), appAppleId: 99 },
      "notification",
      mock("testNotification"),
      "INVALID_APP_IDENTIFIER",
    ],
    [
      "the test notification with only Apple's real root trusted",
      { ...testCa("Sandbox"), roots: [G3] },
      "notification",
      mock("testNotification"),
      "VERIFICATION_FAILURE",
    ],
    ["a transaction", testCa("Sandbox"), "transaction", mock("transactionInfo"), "OK"],
    ["a transaction for another bundle", testCa("Sandbox", "com.example.x"), "transaction", mock("transactionInfo"), "INVALID_APP_IDENTIFIER"],
    ["a transaction for the other environment", testCa("Production"), "transaction", mock("transactionInfo"), "INVALID_ENVIRONMENT"],
    ["renewal info (environment only, no bundle)", testCa("Sandbox", "com.other"), "renewalInfo", mock("renewalInfo"), "OK"],
    ["renewal info for the other environment", testCa("Production"), "renewalInfo", mock("renewalInfo"), "INVALID_ENVIRONMENT"],
    ["a notification for the wrong bundle", testCa("Sandbox"), "notification", mock("wrongBundleId"), "INVALID_APP_IDENTIFIER"],
    ["a header without x5c", testCa("Sandbox"), "notification", mock("missingX5CHeaderClaim"), "INVALID_CERTIFICATE"],
    ["four parts", testCa("Sandbox"), "notification", "a.b.c.d", "VERIFICATION_FAILURE"],
    ["three parts that are not JSON", testCa("Sandbox"), "notification", "a.b.c", "VERIFICATION_FAILURE"],
  ];
  it.each(cases)("%s", async (_name, setup, kind, jws, expected) => expectSameVerdict(setup, kind, jws, expected));
});

describe("AP-2: real Apple-signed payloads, chained to Apple Root CA G3", () => {
  it("the CONSUMPTION_REQUEST notification verifies in Production at its signedDate", async () => {
    await expectSameVerdict(g3("Production", "com.jrjj.keysns", 1601830814), "notification", consumption, "OK");
  });

  it("its inner transaction verifies, and is refused for the sandbox environment", async () => {
    await expectSameVerdict(g3("Production", "com.jrjj.keysns", 1601830814), "transaction", consumptionInner.signedTransactionInfo, "OK");
    await expectSameVerdict(g3("Sandbox", "com.jrjj.keysns"), "transaction", consumptionInner.signedTransactionInfo, "INVALID_ENVIRONMENT");
  });

  it("a Production notification for another app Apple id is refused", async () => {
    await expectSameVerdict(g3("Production", "com.jrjj.keysns", 1), "notification", consumption, "INVALID_APP_IDENTIFIER");
  });

  it("the DID_RENEW inner transaction and renewal info verify at their signedDate", async () => {
    await expectSameVerdict(g3("Sandbox", "com.audaos.audarecorder"), "transaction", renewInner.signedTransactionInfo, "OK");
    await expectSameVerdict(g3("Sandbox", "com.audaos.audarecorder"), "renewalInfo", renewInner.signedRenewalInfo, "OK");
  });

  it("the DID_RENEW outer payload has no signedDate: checked now, its expired leaf is refused, as Apple's library does", async () => {
    await expectSameVerdict(g3("Sandbox", "com.audaos.audarecorder"), "notification", didRenew.signedPayload, "INVALID_CERTIFICATE");
  });

  it("departure, offline only: with innerDateFallback the DID_RENEW notification is checked at its inner transaction's signedDate", async () => {
    expect(await oursVerdict({ ...g3("Sandbox", "com.audaos.audarecorder"), innerDateFallback: true }, "notification", didRenew.signedPayload)).toBe("OK");
  });

  it("a payload signed by Apple fails once a byte of it changes", async () => {
    const [header, payload, signature] = consumptionInner.signedTransactionInfo.split(".") as [string, string, string];
    const altered = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), quantity: 100 };
    const forged = `${header}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${signature}`;
    await expectSameVerdict(g3("Production", "com.jrjj.keysns", 1601830814), "transaction", forged, "VERIFICATION_FAILURE");
  });

  it("online checks use the current time, at which Apple's 2023 leaf has expired", async () => {
    const verifier = new AppleSignedDataVerifier({
      roots: [new X509Certificate(G3)],
      environment: "Production",
      bundleId: "com.jrjj.keysns",
      appAppleId: 1601830814,
      onlineChecks: true,
      now: () => Date.UTC(2026, 0, 1),
    });
    await expect(verifier.verifyNotification(consumption)).rejects.toMatchObject({ status: "INVALID_CERTIFICATE", code: 4001 });
  });

  it("a Production verifier cannot be built without the app Apple id", () => {
    expect(() => new AppleSignedDataVerifier({ roots: [], environment: "Production", bundleId: "x", onlineChecks: false, now: Date.now })).toThrow(
      /appAppleId/,
    );
  });
});

describe("chains already proven are remembered, and nothing else", () => {
  // One root object for every verifier here, as a merchant's config gives: that is when a proven chain is reused.
  const root = new X509Certificate(G3);
  const verifier = (overrides: Partial<ConstructorParameters<typeof AppleSignedDataVerifier>[0]> = {}) =>
    new AppleSignedDataVerifier({
      roots: [root],
      environment: "Production",
      bundleId: "com.jrjj.keysns",
      appAppleId: 1601830814,
      onlineChecks: false,
      now: Date.now,
      ...overrides,
    });
  const transaction = consumptionInner.signedTransactionInfo;

  it("the same chain verifies again, and a payload changed under it still fails its signature", async () => {
    await expect(verifier().verifyTransaction(transaction)).resolves.toMatchObject({ bundleId: "com.jrjj.keysns" });
    await expect(verifier().verifyTransaction(transaction)).resolves.toMatchObject({ bundleId: "com.jrjj.keysns" });
    const [header, payload, signature] = transaction.split(".") as [string, string, string];
    const altered = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), quantity: 100 };
    const forged = `${header}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${signature}`;
    await expect(verifier().verifyTransaction(forged)).rejects.toMatchObject({ status: "VERIFICATION_FAILURE" });
  });

  it("a proven chain sent with a fourth certificate is refused as the x5c length demands", async () => {
    await verifier().verifyTransaction(transaction);
    const [header, payload, signature] = transaction.split(".") as [string, string, string];
    const decoded = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { x5c: string[] };
    const longer = Buffer.from(JSON.stringify({ ...decoded, x5c: [...decoded.x5c, decoded.x5c[2]] })).toString("base64url");
    await expect(verifier().verifyTransaction(`${longer}.${payload}.${signature}`)).rejects.toMatchObject({ status: "INVALID_CERTIFICATE" });
  });

  it("a proven chain still has its dates checked, and counts for nothing under another root", async () => {
    await verifier().verifyTransaction(transaction);
    await expect(verifier({ onlineChecks: true, now: () => Date.UTC(2026, 0, 1) }).verifyTransaction(transaction)).rejects.toMatchObject({
      status: "INVALID_CERTIFICATE",
    });
    await expect(verifier({ roots: [new X509Certificate(TEST_CA)] }).verifyTransaction(transaction)).rejects.toMatchObject({
      status: "VERIFICATION_FAILURE",
    });
  });
});
