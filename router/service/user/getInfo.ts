import { database } from "../../database";
import { failure, success } from "../../replies";
import type { RouteRequest, RouteReply } from "../../types";

export const access = "user";

interface UserRow {
  _id: string;
  username?: string;
  nickname?: string;
  role?: string[];
  balance?: number;
  vip_expire_date?: number;
}

/** The caller's account: balance (fen) and VIP expiry (ms timestamp, 0 when never a member). */
export async function main({ uid }: RouteRequest): Promise<RouteReply> {
  const { data } = await database().collection<UserRow>("uni-id-users").doc(uid!).get();
  const user = data[0];
  if (!user) return failure(-1, "user-not-found", "用户不存在");
  return success({
    uid: user._id,
    username: user.username ?? "",
    nickname: user.nickname ?? "",
    role: Array.isArray(user.role) ? user.role : [],
    balance: Number.isInteger(user.balance) ? user.balance : 0,
    vip_expire_date: typeof user.vip_expire_date === "number" ? user.vip_expire_date : 0,
  });
}
