import { createHash, createPublicKey, randomBytes } from "node:crypto";

/**
 * SM2 signatures (GB/T 32918.2) with SM3 (GB/T 32905), as Huawei Pay signs its callbacks and responses.
 * Node's crypto has the SM3 hash but no SM2 signature scheme, and the project takes no new dependency, so
 * the curve arithmetic is written here on BigInt. What Huawei's samples do is matched exactly: the official
 * JS sample calls sm-crypto's `doVerifySignature(plain, hexSign, pubHex, { hash: true, der: true })`, that is
 * e = SM3(Z_A ‖ M) with the library's default user id `1234567812345678`, and a DER `SEQUENCE { r, s }`.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-pay-notify (回调验签, JS 示例)
 * @see https://www.oscca.gov.cn/sca/xxgk/2010-12/17/content_1002386.shtml (SM2 recommended curve parameters)
 */

const P = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");
const A = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B = BigInt("0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const N = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
const GX = BigInt("0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const GY = BigInt("0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

/** The default signer id of GM/T 0009 (and of sm-crypto, gmssl and tjfoc), which Huawei's samples rely on. */
export const SM2_DEFAULT_USER_ID = "1234567812345678";

type Point = { x: bigint; y: bigint } | null;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(p: Point, q: Point): Point {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x && mod(p.y + q.y, P) === 0n) return null;
  const lambda = p.x === q.x && p.y === q.y ? mod((3n * p.x * p.x + A) * inverse(2n * p.y, P), P) : mod((q.y - p.y) * inverse(q.x - p.x, P), P);
  const x = mod(lambda * lambda - p.x - q.x, P);
  return { x, y: mod(lambda * (p.x - x) - p.y, P) };
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  let addend = point;
  for (let n = k; n > 0n; n >>= 1n) {
    if (n & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

const G: Point = { x: GX, y: GY };

function onCurve(point: { x: bigint; y: bigint }): boolean {
  return point.x < P && point.y < P && mod(point.y * point.y - (point.x * point.x * point.x + A * point.x + B), P) === 0n;
}

const hex32 = (value: bigint) => value.toString(16).padStart(64, "0");
const bytes32 = (value: bigint) => Buffer.from(hex32(value), "hex");
const toBig = (buffer: Buffer) => (buffer.length === 0 ? 0n : BigInt(`0x${buffer.toString("hex")}`));

export interface Sm2PublicKey {
  x: bigint;
  y: bigint;
}

/** Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5). */
function userHash(key: Sm2PublicKey, userId: string): Buffer {
  const id = Buffer.from(userId, "utf8");
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  return createHash("sm3")
    .update(Buffer.concat([entl, id, bytes32(A), bytes32(B), bytes32(GX), bytes32(GY), bytes32(key.x), bytes32(key.y)]))
    .digest();
}

function digestOf(message: string | Buffer, key: Sm2PublicKey, userId: string): bigint {
  return toBig(
    createHash("sm3")
      .update(Buffer.concat([userHash(key, userId), Buffer.isBuffer(message) ? message : Buffer.from(message, "utf8")]))
      .digest(),
  );
}

/**
 * A public key as Huawei's console gives it (hex `04‖x‖y`, "usually starts with 04ACC" in the uni-app guide)
 * or as SubjectPublicKeyInfo (PEM, or base64 DER, which the official Python sample unwraps).
 */
export function parseSm2PublicKey(text: string): Sm2PublicKey {
  const compact = text.replace(/\s+/g, "");
  let point: Buffer;
  if (/^04[0-9a-fA-F]{128}$/.test(compact)) point = Buffer.from(compact, "hex");
  else {
    const der = text.includes("-----BEGIN") ? createPublicKey(text).export({ type: "spki", format: "der" }) : Buffer.from(compact, "base64");
    // The point is the SPKI's BIT STRING: its last 65 bytes for an uncompressed 256-bit point.
    point = der.subarray(der.length - 65);
    if (point[0] !== 4 || der.length < 65 + 20) throw new Error("SM2 public key is neither hex 04… nor an uncompressed SPKI point");
  }
  const key = { x: toBig(point.subarray(1, 33)), y: toBig(point.subarray(33, 65)) };
  if (!onCurve(key)) throw new Error("SM2 public key is not a point of the SM2 curve");
  return key;
}

export function sm2PublicKeyOf(privateKeyHex: string): Sm2PublicKey {
  const point = multiply(BigInt(`0x${privateKeyHex}`), G)!;
  return { x: point.x, y: point.y };
}

export function sm2PublicKeyHex(key: Sm2PublicKey): string {
  return `04${hex32(key.x)}${hex32(key.y)}`;
}

/** A fresh private key d in [1, n-2], as hex. */
export function generateSm2PrivateKeyHex(): string {
  for (;;) {
    const d = toBig(randomBytes(32));
    if (d >= 1n && d <= N - 2n) return hex32(d);
  }
}

function derInteger(value: bigint): Buffer {
  let body = Buffer.from(hex32(value), "hex");
  while (body.length > 1 && body[0] === 0 && body[1]! < 0x80) body = body.subarray(1);
  if (body[0]! >= 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

function derSignature(r: bigint, s: bigint): Buffer {
  const content = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]);
}

/** `SEQUENCE { INTEGER r, INTEGER s }` in short-form DER, strictly: anything else is not a signature. */
function parseDerSignature(der: Buffer): { r: bigint; s: bigint } | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const integers: bigint[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (der[at] !== 0x02) return undefined;
    const length = der[at + 1]!;
    if (length === 0 || length > 33 || at + 2 + length > der.length) return undefined;
    integers.push(toBig(der.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  return at === der.length ? { r: integers[0]!, s: integers[1]! } : undefined;
}

/**
 * Signs with the private key (hex d); `k` is for the standard's worked example only, a fresh random one
 * otherwise. Returns the DER signature.
 */
export function sm2Sign(message: string | Buffer, privateKeyHex: string, options: { userId?: string; k?: bigint } = {}): Buffer {
  const d = BigInt(`0x${privateKeyHex}`);
  const e = digestOf(message, sm2PublicKeyOf(privateKeyHex), options.userId ?? SM2_DEFAULT_USER_ID);
  for (;;) {
    const k = options.k ?? mod(toBig(randomBytes(32)), N - 1n) + 1n;
    const x1 = multiply(k, G)!.x;
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(inverse(1n + d, N) * (k - r * d), N);
    if (s !== 0n) return derSignature(r, s);
  }
}

/** Verifies a DER signature (GB/T 32918.2 §7); false for anything malformed. */
export function sm2Verify(message: string | Buffer, signature: Buffer, key: Sm2PublicKey, userId = SM2_DEFAULT_USER_ID): boolean {
  const parsed = parseDerSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const point = add(multiply(s, G), multiply(t, key));
  if (!point) return false;
  return mod(digestOf(message, key, userId) + point.x, N) === r;
}
