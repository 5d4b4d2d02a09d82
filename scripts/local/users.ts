import { join } from "node:path";
import { STAND_IN_COMMON } from "../build/paths";
import { linkFileDependencies } from "../uni-cloud-mock/src/function-loader";

interface UniIdCommon {
  createInstance(options: { context: Record<string, unknown> }): {
    createToken(input: { uid: string; role?: string[] }): Promise<{ errCode: unknown; errMsg?: string; token?: string; tokenExpired?: number }>;
  };
}

interface Database {
  collection(name: string): {
    doc(id: string): { get(): Promise<{ data: unknown[] }>; set(data: Record<string, unknown>): Promise<unknown> };
  };
}

/** Creates the `uni-id-users` row when missing; an existing row (its balance, its VIP) is kept. */
export async function ensureUser(db: Database, uid: string, role: string[]): Promise<void> {
  const users = db.collection("uni-id-users");
  const { data } = await users.doc(uid).get();
  if (data.length > 0) return;
  await users.doc(uid).set({
    username: uid,
    nickname: uid,
    role,
    status: 0,
    balance: 0,
    vip_expire_date: 0,
    token: [],
    register_date: Date.now(),
  });
}

/** A token from the emulator's uni-id-common, exactly what a logged-in client would hold. */
export async function issueToken(uid: string, role: string[]): Promise<{ token: string; tokenExpired: number }> {
  const moduleDir = join(STAND_IN_COMMON, "uni-id-common");
  linkFileDependencies(moduleDir, STAND_IN_COMMON);
  const uniId = require(moduleDir) as UniIdCommon;
  const result = await uniId.createInstance({ context: { PLATFORM: "web", APPID: "__UNI__LOCAL" } }).createToken({ uid, role });
  if (result.errCode !== 0 || !result.token) throw new Error(`cannot issue a token for ${uid}: ${result.errMsg ?? String(result.errCode)}`);
  return { token: result.token, tokenExpired: result.tokenExpired ?? 0 };
}
