import { createAppleTestChain, signAppleJws, type AppleTestChain } from "../../scripts/sandbox/appleiap/chain";
import { oracleVerdict, oursVerdict, type VerifierSetup } from "./oracle";

/** Chains built here (ECDSA P-256, Apple's marker OIDs or not), each verdict checked against Apple's library. */

const DAY = 24 * 3600 * 1000;
const signedDate = Date.now() - 60_000;
const transaction = { transactionId: "2000000000000001", bundleId: "com.example.app", environment: "Sandbox", productId: "coins_60", signedDate };

let good: AppleTestChain;
let setup: VerifierSetup;

beforeAll(async () => {
  good = await createAppleTestChain();
  setup = { roots: [good.root.certDer], environment: "Sandbox", bundleId: "com.example.app" };
});

async function expectVerdict(jws: string, expected: string, roots?: Buffer[]): Promise<void> {
  const withRoots = roots ? { ...setup, roots } : setup;
  const [ours, apple] = await Promise.all([oursVerdict(withRoots, "transaction", jws), oracleVerdict(withRoots, "transaction", jws)]);
  expect({ ours, apple }).toEqual({ ours: expected, apple: expected });
}

describe("forged and broken chains", () => {
  it("a chain to the configured root with both markers verifies", async () => {
    await expectVerdict(signAppleJws(good, transaction), "OK");
  });

  it("a chain to another root is refused (forged chain)", async () => {
    const forger = await createAppleTestChain();
    await expectVerdict(signAppleJws(forger, transaction), "VERIFICATION_FAILURE");
  });

  it("a forger's leaf and intermediate under a real-looking x5c[2] is refused: the root in the header is never trusted", async () => {
    const forger = await createAppleTestChain();
    const jws = signAppleJws(forger, transaction, { x5c: [forger.leafDer, forger.intermediateDer, good.root.certDer].map((der) => der.toString("base64")) });
    await expectVerdict(jws, "VERIFICATION_FAILURE");
  });

  it("a leaf without Apple's receipt-signing OID is refused", async () => {
    const chain = await createAppleTestChain({ root: good.root, leafMarker: false });
    await expectVerdict(signAppleJws(chain, transaction), "VERIFICATION_FAILURE");
  });

  it("an intermediate without Apple's WWDR OID is refused", async () => {
    const chain = await createAppleTestChain({ root: good.root, intermediateMarker: false });
    await expectVerdict(signAppleJws(chain, transaction), "VERIFICATION_FAILURE");
  });

  it("a leaf that had expired at signedDate is refused as an invalid certificate", async () => {
    const chain = await createAppleTestChain({ root: good.root, notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
    await expectVerdict(signAppleJws(chain, transaction), "INVALID_CERTIFICATE");
  });

  it("a leaf expired 30 s before signedDate is still within Apple's 60 s skew; 90 s is not", async () => {
    const notBefore = new Date(signedDate - 30 * DAY);
    const nearly = await createAppleTestChain({ root: good.root, notBefore, notAfter: new Date(signedDate - 30_000) });
    await expectVerdict(signAppleJws(nearly, transaction), "OK");
    const past = await createAppleTestChain({ root: good.root, notBefore, notAfter: new Date(signedDate - 90_000) });
    await expectVerdict(signAppleJws(past, transaction), "INVALID_CERTIFICATE");
  });

  it("an x5c of two certificates is refused as an invalid certificate", async () => {
    const jws = signAppleJws(good, transaction, { x5c: [good.leafDer, good.intermediateDer].map((der) => der.toString("base64")) });
    await expectVerdict(jws, "INVALID_CERTIFICATE");
  });

  it("an x5c entry that is not a certificate is refused as an invalid certificate", async () => {
    await expectVerdict(signAppleJws(good, transaction, { x5c: ["bm90IGEgY2VydA==", "AA==", "AA=="] }), "INVALID_CERTIFICATE");
  });

  it("a signature by another key is refused", async () => {
    const other = await createAppleTestChain({ root: good.root });
    const [header, payload] = signAppleJws(good, transaction).split(".");
    const [, , signature] = signAppleJws(other, transaction).split(".");
    await expectVerdict(`${header}.${payload}.${signature}`, "VERIFICATION_FAILURE");
  });

  it("a payload field of the wrong type is refused before the chain is looked at", async () => {
    await expectVerdict(signAppleJws(good, { ...transaction, quantity: "2" }), "FAILURE");
  });

  it("a JWS dated before its leaf was issued is refused as an invalid certificate", async () => {
    await expectVerdict(signAppleJws(good, { ...transaction, signedDate: Date.now() - 400 * DAY }), "INVALID_CERTIFICATE");
  });
});
