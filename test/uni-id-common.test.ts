import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, signJwt, verifyJwt } from "./helpers/jwt";
import uniIdCommon = require("../common/uni-id-common/src/index");
import { createUniIdInstance } from "../common/uni-id-common/src/instance";
import type { CreateInstanceOptions, UniIdConfig, UniIdDatabase } from "../common/uni-id-common/src/types";
import { createDatabase, type CloudDatabase } from "../scripts/uni-cloud-mock/src/database";

const SECRET = "uni-id-test-secret-2f1c9a0b7d4e";
const OTHER_SECRET = "another-secret-entirely-7788";
const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);

let clock: number;
let db: CloudDatabase;
let config: unknown;

function instance(options: CreateInstanceOptions = {}) {
  return createUniIdInstance(options, { now: () => clock, loadConfig: () => config, database: (): UniIdDatabase => db });
}

async function addUser(row: Record<string, unknown> & { _id: string }) {
  await db.collection("uni-id-users").add(row);
}

async function userRow(uid: string): Promise<Record<string, any>> {
  return ((await db.collection("uni-id-users").doc(uid).get()).data as Array<Record<string, any>>)[0];
}

/** A token in uni-id's format from the tests' own signer, with any header or claims a test needs to break. */
async function ownToken(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }, secret = SECRET) {
  const iat = Math.floor(clock / 1000);
  const payload: Record<string, unknown> = { uid: "u1", role: ["user"], permission: [], uniIdVersion: "1.0.19", iat, exp: iat + 7200, ...claims };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return signJwt(header, payload, secret);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

afterEach(() => db.close());

beforeEach(() => {
  clock = T0;
  // The emulator's own SQLite database, so the token list is kept with the same push/slice semantics.
  db = createDatabase({ file: ":memory:" });
  config = { tokenSecret: SECRET, tokenExpiresIn: 7200, tokenExpiresThreshold: 1200 };
});

describe("createToken", () => {
  test("an independent implementation (jsonwebtoken) verifies the token and sees the documented payload", async () => {
    const result = await instance().createToken({ uid: "u1", role: ["user"], permission: ["pay"] });
    if (result.errCode !== 0) throw new Error(`createToken failed: ${result.errMsg}`);
    const { payload, header: protectedHeader } = verifyJwt(result.token, SECRET, clock);
    expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    const iat = Math.floor(T0 / 1000);
    expect(payload).toEqual({ uid: "u1", role: ["user"], permission: ["pay"], uniIdVersion: "1.0.19", iat, exp: iat + 7200 });
    expect(result.tokenExpired).toBe((iat + 7200) * 1000);
    expect(() => verifyJwt(result.token, OTHER_SECRET, clock)).toThrow();
  });

  test("uid is required; the failure is returned, not thrown", async () => {
    for (const input of [{}, { uid: "" }, { uid: 42 }, undefined]) {
      await expect(instance().createToken(input as never)).resolves.toMatchObject({ errCode: "uni-id-param-required", errMsg: "uid不可为空" });
    }
    await expect(instance({ context: { LOCALE: "en" } }).createToken({} as never)).resolves.toMatchObject({ errMsg: "uid is required" });
  });

  test("appends to the user's token list, keeping the last maxTokenLength", async () => {
    config = { ...(config as object), maxTokenLength: 3 };
    await addUser({ _id: "u1", role: ["user"], token: ["old-1"] });
    const issued: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock += 1000;
      const result = await instance().createToken({ uid: "u1", role: ["user"] });
      if (result.errCode !== 0) throw new Error("createToken failed");
      issued.push(result.token);
    }
    expect((await userRow("u1")).token).toEqual(issued.slice(-3));
  });

  test("a user without a row still gets a token, and no row is created", async () => {
    const result = await instance().createToken({ uid: "ghost", role: [] });
    expect(result.errCode).toBe(0);
    expect(await userRow("ghost")).toBeUndefined();
  });

  test("without roles given, the user's roles and their permissions come from the database; admin gets none", async () => {
    await addUser({ _id: "u2", role: ["editor", "viewer"] });
    await addUser({ _id: "boss", role: ["admin"] });
    await db.collection("uni-id-roles").add({ role_id: "editor", permission: ["post-edit", "post-read"] });
    await db.collection("uni-id-roles").add({ role_id: "viewer", permission: ["post-read"] });
    await db.collection("uni-id-roles").add({ role_id: "admin", permission: ["should-not-appear"] });
    const editor = await instance().createToken({ uid: "u2" });
    if (editor.errCode !== 0) throw new Error("createToken failed");
    expect(decodeJwt(editor.token)).toMatchObject({ role: ["editor", "viewer"], permission: ["post-edit", "post-read"] });
    const admin = await instance().createToken({ uid: "boss" });
    if (admin.errCode !== 0) throw new Error("createToken failed");
    expect(decodeJwt(admin.token)).toMatchObject({ role: ["admin"], permission: [] });
    await expect(instance().createToken({ uid: "nobody" })).resolves.toMatchObject({ errCode: "uni-id-account-not-exists" });
  });
});

describe("checkToken", () => {
  test("accepts a token signed independently in uni-id's format and returns the payload without uniIdVersion", async () => {
    const iat = Math.floor(clock / 1000);
    const token = await ownToken({ uid: "u9", role: ["user"], permission: ["a"] });
    const result = await instance().checkToken(token);
    expect(result).toEqual({ code: 0, errCode: 0, uid: "u9", role: ["user"], permission: ["a"], iat, exp: iat + 7200 });
  });

  test("round-trips its own tokens", async () => {
    const created = await instance().createToken({ uid: "u1", role: ["admin"], permission: [] });
    if (created.errCode !== 0) throw new Error("createToken failed");
    await expect(instance().checkToken(created.token)).resolves.toMatchObject({ code: 0, uid: "u1", role: ["admin"] });
  });

  const invalid: Array<[string, () => Promise<unknown>]> = [
    [
      "alg none",
      async () =>
        `${b64({ alg: "none", typ: "JWT" })}.${b64({ uid: "u1", role: ["admin"], permission: [], iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 7200 })}.`,
    ],
    ["HS512 with the right secret", () => ownToken({}, { alg: "HS512", typ: "JWT" })],
    ["HS384 with the right secret", () => ownToken({}, { alg: "HS384", typ: "JWT" })],
    ["another secret", () => ownToken({}, undefined, OTHER_SECRET)],
    [
      "a tampered payload",
      async () => {
        const [header, payload, signature] = (await ownToken({ role: ["user"] })).split(".");
        const forged = { ...JSON.parse(Buffer.from(payload, "base64url").toString()), role: ["admin"] };
        return `${header}.${b64(forged)}.${signature}`;
      },
    ],
    ["a tampered signature", async () => `${(await ownToken({})).slice(0, -2)}AA`],
    ["typ other than JWT", () => ownToken({}, { alg: "HS256", typ: "JWS" })],
    ["no typ", () => ownToken({}, { alg: "HS256" })],
    ["no uid", () => ownToken({ uid: undefined })],
    ["an empty uid", () => ownToken({ uid: "" })],
    ["a numeric uid", () => ownToken({ uid: 7 })],
    ["no exp", () => ownToken({ exp: undefined })],
    ["a role that is not a string array", () => ownToken({ role: "admin" })],
    ["a not-yet-valid token", () => ownToken({ nbf: Math.floor(clock / 1000) + 3600 })],
    ["a malformed string", async () => "not-a-token"],
    ["three garbage segments", async () => "a.b.c"],
    ["dots only", async () => ".."],
    ["a JSON payload that is not an object", async () => `${b64({ alg: "HS256", typ: "JWT" })}.${b64("text")}.x`],
    ["an empty string", async () => ""],
    ["a number", async () => 12345],
    ["null", async () => null],
    ["undefined", async () => undefined],
    ["an object", async () => ({ token: "x" })],
  ];

  test.each(invalid)("refuses %s with 30202", async (_name, make) => {
    const result = await instance().checkToken((await make()) as string);
    expect(result).toEqual({ errCode: "uni-id-check-token-failed", code: 30202, errMsg: "登录状态失效，token校验未通过" });
  });

  test("an expired token is 30203, an expired forged one stays 30202", async () => {
    const token = await ownToken({});
    clock += 7200 * 1000;
    await expect(instance().checkToken(token)).resolves.toEqual({ errCode: "uni-id-token-expired", code: 30203, errMsg: "登录状态失效，token已过期" });
    clock = T0;
    const forged = await ownToken({}, undefined, OTHER_SECRET);
    clock += 7200 * 1000;
    await expect(instance().checkToken(forged)).resolves.toMatchObject({ code: 30202 });
    await expect(instance({ context: { LOCALE: "en-US" } }).checkToken(token)).resolves.toMatchObject({ errMsg: "Token expired" });
  });

  test("one second before exp is still valid (no refresh asked)", async () => {
    const token = await ownToken({});
    clock += 7199 * 1000;
    await expect(instance().checkToken(token, { autoRefresh: false })).resolves.toMatchObject({ code: 0, uid: "u1" });
  });

  test("near expiry it returns a new valid token, recorded on the user row", async () => {
    await addUser({ _id: "u1", role: ["user"], status: 0 });
    const created = await instance({ context: { CLIENTIP: "10.0.0.7" } }).createToken({ uid: "u1", role: ["user"] });
    if (created.errCode !== 0) throw new Error("createToken failed");

    clock += (7200 - 1300) * 1000; // 1300 s left: above the 1200 s threshold, no refresh
    const early = await instance().checkToken(created.token);
    expect(early).toMatchObject({ code: 0, uid: "u1" });
    expect(early).not.toHaveProperty("token");

    clock += 200 * 1000; // 1100 s left
    expect(await instance().checkToken(created.token, { autoRefresh: false })).not.toHaveProperty("token");
    const refreshed = await instance({ context: { CLIENTIP: "10.0.0.8" } }).checkToken(created.token);
    if (refreshed.errCode !== 0 || !refreshed.token) throw new Error(`expected a refreshed token: ${JSON.stringify(refreshed)}`);
    const nowSeconds = Math.floor(clock / 1000);
    expect(refreshed).toMatchObject({
      code: 0,
      uid: "u1",
      role: ["user"],
      permission: [],
      iat: nowSeconds,
      exp: nowSeconds + 7200,
      tokenExpired: (nowSeconds + 7200) * 1000,
    });
    expect(refreshed).not.toHaveProperty("uniIdVersion");
    const { payload } = verifyJwt(refreshed.token, SECRET, clock);
    expect(payload).toMatchObject({ uid: "u1", iat: nowSeconds, exp: nowSeconds + 7200 });

    const row = await userRow("u1");
    expect(row.token).toEqual([created.token, refreshed.token]);
    expect(row.last_login_ip).toBe("10.0.0.8");
    expect(row.last_login_date).toBe(clock);
    // The new token is itself refreshable later.
    clock += (7200 - 100) * 1000;
    await expect(instance().checkToken(refreshed.token)).resolves.toMatchObject({ code: 0, token: expect.any(String) });
  });

  test("the refreshed token carries the roles the database holds now", async () => {
    await addUser({ _id: "u1", role: ["user", "vip"] });
    const created = await instance().createToken({ uid: "u1", role: ["user", "vip"] });
    if (created.errCode !== 0) throw new Error("createToken failed");
    await db
      .collection("uni-id-users")
      .doc("u1")
      .update({ role: ["user"] });
    clock += 7000 * 1000;
    await expect(instance().checkToken(created.token)).resolves.toMatchObject({ code: 0, role: ["user"] });
  });

  test("a token without roles (older uni-id) takes them from the user row", async () => {
    await addUser({ _id: "u3", role: ["user"] });
    await expect(instance().checkToken(await ownToken({ uid: "u3", role: undefined, permission: undefined }))).resolves.toMatchObject({
      code: 0,
      role: ["user"],
      permission: [],
    });
  });
});

describe("refreshToken", () => {
  async function userWithToken(row: Record<string, unknown> = {}) {
    await addUser({ _id: "u1", role: ["user"], ...row });
    const created = await instance().createToken({ uid: "u1", role: ["user"] });
    if (created.errCode !== 0) throw new Error("createToken failed");
    clock += 60 * 1000;
    return created.token;
  }

  test("returns a new token and records it", async () => {
    const token = await userWithToken();
    const result = await instance().refreshToken({ token });
    if (result.errCode !== 0) throw new Error("refresh failed");
    expect(result.token).not.toBe(token);
    expect((await userRow("u1")).token).toContain(result.token);
    await expect(instance().checkToken(result.token)).resolves.toMatchObject({ code: 0, uid: "u1" });
  });

  test.each([
    [1, "uni-id-account-banned"],
    [2, "uni-id-account-auditing"],
    [3, "uni-id-account-audit-failed"],
    [4, "uni-id-account-closed"],
    [9, "uni-id-account-banned"],
  ])("refused for a user with status %s (%s), also through checkToken's auto-refresh", async (status, errCode) => {
    const token = await userWithToken();
    await db.collection("uni-id-users").doc("u1").update({ status });
    await expect(instance().refreshToken({ token })).resolves.toMatchObject({ errCode });
    clock += 7000 * 1000;
    const checked = await instance().checkToken(token);
    expect(checked).toMatchObject({ errCode });
    expect(checked).not.toHaveProperty("token");
    expect((await userRow("u1")).token).toEqual([token]);
  });

  test("refused when the token is no longer in the user's list (logged out elsewhere)", async () => {
    const token = await userWithToken();
    await db.collection("uni-id-users").doc("u1").update({ token: [] });
    await expect(instance().refreshToken({ token })).resolves.toMatchObject({ errCode: "uni-id-check-token-failed", code: 30202 });
  });

  test("a token from before uni-id 1.0.10 is not looked up in the list", async () => {
    await addUser({ _id: "u1", role: ["user"], token: [] });
    const legacy = await ownToken({ uniIdVersion: "1.0.9" });
    await expect(instance().refreshToken({ token: legacy })).resolves.toMatchObject({ errCode: 0 });
    const current = await ownToken({ uniIdVersion: "1.0.10" });
    await expect(instance().refreshToken({ token: current })).resolves.toMatchObject({ code: 30202 });
  });

  test("refused when issued before valid_token_date (a password change)", async () => {
    const token = await userWithToken();
    await db.collection("uni-id-users").doc("u1").update({ valid_token_date: clock });
    await expect(instance().refreshToken({ token })).resolves.toMatchObject({ errCode: "uni-id-token-expired", code: 30203 });
  });

  test("refused for an unknown user, a missing token and an invalid token", async () => {
    await expect(instance().refreshToken({ token: await ownToken({ uid: "nobody" }) })).resolves.toMatchObject({ errCode: "uni-id-account-not-exists" });
    await expect(instance().refreshToken({} as never)).resolves.toMatchObject({ errCode: "uni-id-param-required", errMsg: "token不可为空" });
    await expect(instance().refreshToken({ token: await ownToken({}, undefined, OTHER_SECRET) })).resolves.toMatchObject({ code: 30202 });
  });
});

describe("configuration", () => {
  const lifetime = async (options: CreateInstanceOptions) => {
    const result = await instance(options).createToken({ uid: "u1", role: [] });
    if (result.errCode !== 0) throw new Error(`createToken failed: ${result.errMsg}`);
    const { iat, exp } = decodeJwt(result.token);
    return exp! - iat!;
  };

  test("per-platform blocks override the expiry, legacy app-plus/h5 names included", async () => {
    config = {
      tokenSecret: SECRET,
      tokenExpiresIn: 7200,
      app: { tokenExpiresIn: 2592000, tokenExpiresThreshold: 864000 },
      h5: { tokenExpiresIn: 3600 },
      "mp-weixin": { tokenExpiresIn: 259200 },
    };
    expect(await lifetime({ context: { PLATFORM: "app" } })).toBe(2592000);
    expect(await lifetime({ context: { PLATFORM: "app-plus" } })).toBe(2592000);
    expect(await lifetime({ context: { PLATFORM: "web" } })).toBe(3600);
    expect(await lifetime({ context: { PLATFORM: "h5" } })).toBe(3600);
    expect(await lifetime({ context: { PLATFORM: "mp-weixin" } })).toBe(259200);
    expect(await lifetime({ clientInfo: { uniPlatform: "mp-weixin" } })).toBe(259200);
    expect(await lifetime({ context: { PLATFORM: "mp-alipay" } })).toBe(7200);
    expect(await lifetime({})).toBe(7200);
  });

  test("the platform's threshold decides the auto-refresh", async () => {
    config = { tokenSecret: SECRET, tokenExpiresIn: 7200, app: { tokenExpiresIn: 100000, tokenExpiresThreshold: 50000 } };
    await addUser({ _id: "u1", role: [] });
    const app = instance({ context: { PLATFORM: "app" } });
    const created = await app.createToken({ uid: "u1", role: [] });
    if (created.errCode !== 0) throw new Error("createToken failed");
    clock += 60000 * 1000; // 40000 s left: under the app threshold
    await expect(app.checkToken(created.token)).resolves.toMatchObject({ code: 0, token: expect.any(String) });
  });

  test("an array config is chosen by context.APPID, with isDefaultConfig as the fallback", async () => {
    config = [
      { dcloudAppid: "__UNI__AAA", tokenSecret: "secret-of-app-a", tokenExpiresIn: 1000, tokenExpiresThreshold: 100 },
      { dcloudAppid: "__UNI__BBB", isDefaultConfig: true, tokenSecret: "secret-of-app-b", tokenExpiresIn: 2000, tokenExpiresThreshold: 100 },
    ] satisfies UniIdConfig[];
    expect(await lifetime({ context: { APPID: "__UNI__AAA" } })).toBe(1000);
    expect(await lifetime({ context: { APPID: "__UNI__BBB" } })).toBe(2000);
    expect(await lifetime({ context: { APPID: "__UNI__ZZZ" } })).toBe(2000);
    expect(await lifetime({ clientInfo: { appId: "__UNI__AAA" } })).toBe(1000);

    const forA = await instance({ context: { APPID: "__UNI__AAA" } }).createToken({ uid: "u1", role: [] });
    if (forA.errCode !== 0) throw new Error("createToken failed");
    verifyJwt(forA.token, "secret-of-app-a", clock);
    await expect(instance({ context: { APPID: "__UNI__AAA" } }).checkToken(forA.token)).resolves.toMatchObject({ code: 0 });
    await expect(instance({ context: { APPID: "__UNI__BBB" } }).checkToken(forA.token)).resolves.toMatchObject({ code: 30202 });
  });

  test("an array without a match or a default is a config error", async () => {
    config = [{ dcloudAppid: "__UNI__AAA", tokenSecret: SECRET }];
    await expect(instance({ context: { APPID: "__UNI__OTHER" } }).createToken({ uid: "u1", role: [] })).resolves.toMatchObject({
      errCode: "uni-id-config-field-invalid",
    });
  });

  test.each([
    ["missing", {}],
    ["empty", { tokenSecret: "" }],
    ["not a string", { tokenSecret: 12345 }],
    ["missing from a missing file", undefined],
  ])("a tokenSecret %s is a config error, never a default secret", async (_name, value) => {
    config = value;
    const create = await instance().createToken({ uid: "u1", role: [] });
    expect(create).toEqual({ errCode: "uni-id-config-field-required", errMsg: "uni-id配置缺少tokenSecret" });
    // Not even a token signed with an empty key gets through.
    const emptyKeyToken = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ uid: "u1", role: ["admin"], permission: [], iat: 1, exp: 9999999999 })}.x`;
    await expect(instance().checkToken(emptyKeyToken)).resolves.toMatchObject({ errCode: "uni-id-config-field-required" });
  });

  test("invalid lifetimes are config errors", async () => {
    for (const bad of [
      { tokenExpiresIn: 0 },
      { tokenExpiresIn: "7200" },
      { tokenExpiresThreshold: 7200 },
      { tokenExpiresThreshold: -1 },
      { maxTokenLength: 1.5 },
    ]) {
      config = { tokenSecret: SECRET, ...bad };
      await expect(instance().createToken({ uid: "u1", role: [] })).resolves.toMatchObject({ errCode: "uni-id-config-field-invalid" });
    }
  });

  test("defaults: 7200 s lifetime, 1200 s threshold", async () => {
    config = { tokenSecret: SECRET };
    expect(await lifetime({})).toBe(7200);
    await addUser({ _id: "u1", role: [] });
    const created = await instance().createToken({ uid: "u1", role: [] });
    if (created.errCode !== 0) throw new Error("createToken failed");
    clock += 5999 * 1000;
    expect(await instance().checkToken(created.token)).not.toHaveProperty("token");
    clock += 2 * 1000;
    expect(await instance().checkToken(created.token)).toHaveProperty("token");
  });
});

describe("the public module", () => {
  let dataDir: string;
  const previous = process.env.UNICLOUD_DATA_DIR;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "uni-id-"));
    mkdirSync(join(dataDir, "uni-config-center", "uni-id"), { recursive: true });
    writeFileSync(join(dataDir, "uni-config-center", "uni-id", "config.json"), JSON.stringify({ tokenSecret: SECRET, tokenExpiresIn: 7200 }));
    process.env.UNICLOUD_DATA_DIR = dataDir;
    (globalThis as Record<string, unknown>).uniCloud = { database: () => db };
  });

  afterEach(() => {
    delete (globalThis as Record<string, unknown>).uniCloud;
    if (previous === undefined) delete process.env.UNICLOUD_DATA_DIR;
    else process.env.UNICLOUD_DATA_DIR = previous;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("reads uni-id/config.json through uni-config-center and the database through uniCloud", async () => {
    expect(typeof uniIdCommon.createInstance).toBe("function");
    await addUser({ _id: "u1", role: ["user"] });
    const ins = uniIdCommon.createInstance({ context: { PLATFORM: "web" } });
    const created = await ins.createToken({ uid: "u1" });
    if (created.errCode !== 0) throw new Error(`createToken failed: ${created.errMsg}`);
    verifyJwt(created.token, SECRET);
    expect((await userRow("u1")).token).toEqual([created.token]);
    await expect(ins.checkToken(created.token)).resolves.toMatchObject({ code: 0, uid: "u1", role: ["user"] });
  });

  test("never writes a token or the secret to the console", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) => jest.spyOn(console, level).mockImplementation(() => undefined));
    try {
      await addUser({ _id: "u1", role: ["user"] });
      const ins = uniIdCommon.createInstance({});
      const created = await ins.createToken({ uid: "u1" });
      if (created.errCode !== 0) throw new Error("createToken failed");
      await ins.checkToken(created.token);
      await ins.checkToken(`${created.token}x`);
      await ins.refreshToken({ token: created.token });
      const written = spies.flatMap((spy) => spy.mock.calls.flat().map(String)).join("\n");
      expect(written).not.toContain(SECRET);
      expect(written).not.toContain(created.token.split(".")[2]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
