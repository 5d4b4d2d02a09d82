import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyJwt } from "../helpers/jwt";
import { dispatchCall } from "../../router/dispatch";
import type { RouteModule, RouteRequest, RouteTable } from "../../router/types";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { mintToken, TEST_SECRET, UNI_ID_TEST_CONFIG } from "../helpers/tokens";

/** Routes that report what the router handed them, one per access level. */
function recordingRoutes(calls: RouteRequest[]): RouteTable {
  const route =
    (access: RouteModule["access"]): (() => RouteModule) =>
    () => ({
      access,
      async main(request) {
        calls.push(request);
        return { code: 0, msg: "success", data: { uid: request.uid ?? null } };
      },
    });
  return {
    "open/ping": route("public"),
    "user/ping": route("user"),
    "admin/ping": route("admin"),
    "user/boom": () => ({
      access: "user",
      async main() {
        throw new Error("database password is hunter2");
      },
    }),
  };
}

describe("the router's access rules", () => {
  let dataDir: string;
  let db: ReturnType<typeof createDatabase>;
  const calls: RouteRequest[] = [];
  const routes = recordingRoutes(calls);
  const context = { SOURCE: "client", PLATFORM: "web", APPID: "__UNI__T", requestId: "req-1" };
  const dispatch = (url: string, token?: string, data: Record<string, unknown> = {}) =>
    dispatchCall({ url, token, data, context }, { routes, log: () => undefined });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-router-"));
    mkdirSync(join(dataDir, "uni-config-center/uni-id"), { recursive: true });
    writeFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
    process.env.UNICLOUD_DATA_DIR = dataDir;
    db = createDatabase({ file: ":memory:" });
    (globalThis as any).uniCloud = { database: () => db };
  });
  afterAll(async () => {
    await db.close();
    delete (globalThis as any).uniCloud;
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it("answers 404 for an unknown route and never runs a handler", async () => {
    expect(await dispatch("user/nothing")).toMatchObject({ code: 404, errCode: "vk-pay-route-not-found" });
    expect(await dispatch("constructor")).toMatchObject({ code: 404 });
    expect(await dispatch("__proto__")).toMatchObject({ code: 404 });
    expect(calls).toHaveLength(0);
  });

  it("lets anyone call a public route, and tells it the caller when the token is valid", async () => {
    expect(await dispatch("open/ping")).toMatchObject({ code: 0, data: { uid: null } });
    expect(await dispatch("open/ping", "garbage")).toMatchObject({ code: 0, data: { uid: null } });
    const token = await mintToken(TEST_SECRET, { uid: "u1" });
    expect(await dispatch("open/ping", token)).toMatchObject({ code: 0, data: { uid: "u1" } });
  });

  it("requires a valid token for a user route (30202) and refuses an expired one (30203)", async () => {
    expect(await dispatch("user/ping")).toMatchObject({ code: 30202 });
    expect(await dispatch("user/ping", "not.a.token")).toMatchObject({ code: 30202 });
    expect(await dispatch("user/ping", await mintToken("another-secret-another-secret-0000", { uid: "u1" }))).toMatchObject({ code: 30202 });
    const expired = await mintToken(TEST_SECRET, { uid: "u1", issuedAt: Math.floor(Date.now() / 1000) - 8000, expiresInSeconds: 7200 });
    expect(await dispatch("user/ping", expired)).toMatchObject({ code: 30203, errCode: "vk-pay-token-expired" });
    expect(calls).toHaveLength(0);
  });

  it("takes the user id from the token only, never from data", async () => {
    const token = await mintToken(TEST_SECRET, { uid: "real-user" });
    const reply = await dispatch("user/ping", token, { uid: "someone-else", user_id: "someone-else", vk_platform: "x", amount: 5 });
    expect(reply).toMatchObject({ code: 0, data: { uid: "real-user" } });
    expect(calls[0]!.data).toEqual({ amount: 5 });
  });

  it("requires the admin role for an admin route (403 for a plain user)", async () => {
    expect(await dispatch("admin/ping", await mintToken(TEST_SECRET, { uid: "u1" }))).toMatchObject({ code: 403, errCode: "vk-pay-forbidden" });
    expect(await dispatch("admin/ping")).toMatchObject({ code: 30202 });
    expect(await dispatch("admin/ping", await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] }))).toMatchObject({ code: 0, data: { uid: "boss" } });
    expect(calls).toHaveLength(1);
  });

  it("hands back a refreshed token as newToken when uni-id renewed it", async () => {
    const nearExpiry = await mintToken(TEST_SECRET, { uid: "u-refresh", issuedAt: Math.floor(Date.now() / 1000) - 7000, expiresInSeconds: 7200 });
    await db.collection("uni-id-users").add({ _id: "u-refresh", status: 0, role: [], token: [nearExpiry] });
    const reply = (await dispatch("user/ping", nearExpiry)) as { code: number; newToken?: { token: string; tokenExpired: number } };
    expect(reply.code).toBe(0);
    expect(reply.newToken).toBeDefined();
    const { payload } = verifyJwt(reply.newToken!.token, TEST_SECRET);
    expect(payload.uid).toBe("u-refresh");
    expect(reply.newToken!.tokenExpired).toBeGreaterThan(Date.now() + 7000 * 1000);
  });

  it("answers a failing handler with code 500 and no detail", async () => {
    const reply = await dispatch("user/boom", await mintToken(TEST_SECRET, { uid: "u1" }));
    expect(reply).toMatchObject({ code: 500, errCode: "vk-pay-internal-error" });
    expect(JSON.stringify(reply)).not.toContain("hunter2");
  });
});
