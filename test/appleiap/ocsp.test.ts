import { createServer, type Server } from "node:http";
import { X509Certificate, type KeyObject } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Environment, SignedDataVerifier, VerificationException, VerificationStatus } from "@apple/app-store-server-library";
import { AppleSignedDataVerifier } from "../../common/vk-uni-pay/src/providers/appleiap/jws/verifier";
import { ocspRevocationCheck } from "../../common/vk-uni-pay/src/providers/appleiap/jws/ocsp";
import { AppleVerificationError } from "../../common/vk-uni-pay/src/providers/appleiap/jws/verification-error";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { createAppleTestChain, signAppleJws, type AppleTestChain } from "../../scripts/sandbox/appleiap/chain";
import { ocspResponse, requestedCertId } from "../../scripts/sandbox/appleiap/ocsp-responder";

/**
 * Online checks: OCSP for the leaf and the intermediate, against a responder over real HTTP. Apple's own
 * SignedDataVerifier (online) asks the same responder, and the verdicts are compared.
 */

let server: Server;
let chain: AppleTestChain;
let revoked: Set<string>;
let mode: "ok" | "down" | "forged";
let stranger: KeyObject;
let url: string;

beforeAll(async () => {
  revoked = new Set();
  mode = "ok";
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      if (mode === "down") {
        res.writeHead(503).end();
        return;
      }
      const request = Buffer.concat(parts);
      const leaf = new X509Certificate(chain.leafDer);
      const intermediate = new X509Certificate(chain.intermediateDer);
      // The CertID's serial says which certificate is asked about, and so which issuer answers.
      const aboutLeaf = requestedCertId(request).includes(Buffer.from(leaf.serialNumber, "hex"));
      const issuer = aboutLeaf ? intermediate : new X509Certificate(chain.root.certDer);
      const responder = aboutLeaf ? chain.responders!.leaf : chain.responders!.intermediate;
      const signerKey = mode === "forged" ? stranger : responder.privateKey;
      res
        .writeHead(200, { "content-type": "application/ocsp-response" })
        .end(ocspResponse(request, { issuer, signer: new X509Certificate(responder.certDer), signerKey, revoked, now: Date.now() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsp`;
  stranger = (await createAppleTestChain()).leafPrivateKey;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
// A fresh chain per case: a good answer is cached for 15 minutes, as in Apple's library.
beforeEach(async () => {
  chain = await createAppleTestChain({ ocspUrl: url });
});
afterEach(() => {
  revoked.clear();
  mode = "ok";
});

const runtime: ProviderRuntime = {
  now: () => Date.now(),
  request: async (url, options) => {
    const response = await fetch(url, { method: "POST", headers: options.headers as Record<string, string>, body: options.content as Buffer });
    return { status: response.status, headers: {}, data: Buffer.from(await response.arrayBuffer()) };
  },
};
const jws = () => signAppleJws(chain, { transactionId: "1", bundleId: "com.example.app", environment: "Sandbox", signedDate: Date.now() });

async function ours(): Promise<string> {
  const verifier = new AppleSignedDataVerifier({
    roots: [new X509Certificate(chain.root.certDer)],
    environment: "Sandbox",
    bundleId: "com.example.app",
    onlineChecks: true,
    now: () => Date.now(),
    revocation: ocspRevocationCheck(runtime),
  });
  try {
    await verifier.verifyTransaction(jws());
    return "OK";
  } catch (error) {
    if (error instanceof AppleVerificationError) return error.status;
    throw error;
  }
}

async function apple(): Promise<string> {
  try {
    await new SignedDataVerifier([chain.root.certDer], true, Environment.SANDBOX, "com.example.app").verifyAndDecodeTransaction(jws());
    return "OK";
  } catch (error) {
    if (error instanceof VerificationException)
      return VerificationStatus[error.status]! + (process.env.DEBUG_OCSP ? String((error as { cause?: unknown }).cause) : "");
    throw error;
  }
}

describe("OCSP online checks", () => {
  it("a good leaf and intermediate verify, as Apple's online verifier finds", async () => {
    expect({ ours: await ours(), apple: await apple() }).toEqual({ ours: "OK", apple: "OK" });
  });

  it("a revoked leaf is refused, as Apple's online verifier refuses it", async () => {
    revoked.add(new X509Certificate(chain.leafDer).serialNumber.toUpperCase());
    expect({ ours: await ours(), apple: await apple() }).toEqual({ ours: "FAILURE", apple: "FAILURE" });
  });

  it("a revoked intermediate is refused", async () => {
    revoked.add(new X509Certificate(chain.intermediateDer).serialNumber.toUpperCase());
    expect({ ours: await ours(), apple: await apple() }).toEqual({ ours: "FAILURE", apple: "FAILURE" });
  });

  it("an answer signed by someone else is refused", async () => {
    mode = "forged";
    expect(await ours()).toBe("FAILURE");
  });

  it("a responder that is down is a retryable failure, as in Apple's library", async () => {
    mode = "down";
    expect({ ours: await ours(), apple: await apple() }).toEqual({ ours: "RETRYABLE_VERIFICATION_FAILURE", apple: "RETRYABLE_VERIFICATION_FAILURE" });
  });

  it("a good answer is trusted for a while: the next verification of the same chain asks nobody", async () => {
    expect(await ours()).toBe("OK");
    mode = "down";
    expect(await ours()).toBe("OK");
  });

  it("a chain that names no responder is an invalid certificate online", async () => {
    const plain = await createAppleTestChain({ root: chain.root });
    const verifier = new AppleSignedDataVerifier({
      roots: [new X509Certificate(chain.root.certDer)],
      environment: "Sandbox",
      bundleId: "com.example.app",
      onlineChecks: true,
      now: () => Date.now(),
      revocation: ocspRevocationCheck(runtime),
    });
    await expect(
      verifier.verifyTransaction(signAppleJws(plain, { bundleId: "com.example.app", environment: "Sandbox", signedDate: Date.now() })),
    ).rejects.toMatchObject({
      status: "INVALID_CERTIFICATE",
    });
  });
});
