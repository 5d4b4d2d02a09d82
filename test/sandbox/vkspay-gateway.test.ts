import { createHash } from "node:crypto";
import { createVkspaySandbox, type VkspaySandbox } from "../../scripts/sandbox/vkspay";
import { mountSandbox, type Mounted } from "./helpers/mounted";

/**
 * The VksPay sandbox (易支付 protocol) on its own: mapi.php checks the MD5 signature as the community documents
 * define it (or with the `&key=` clone variant when so configured), api.php answers only to the merchant's
 * key. The client signs here with node:crypto directly.
 */
const md5 = (params: Record<string, string>, key: string, separator = "") =>
  createHash("md5")
    .update(
      Object.keys(params)
        .filter((name) => params[name] !== "")
        .sort()
        .map((name) => `${name}=${params[name]}`)
        .join("&") +
        separator +
        key,
    )
    .digest("hex");

async function withSandbox(keySeparator: string | undefined, run: (m: Mounted<VkspaySandbox>) => Promise<void>) {
  const m = await mountSandbox("vkspay", undefined, (dataDir) => createVkspaySandbox({ dataDir, persist: false, keySeparator, log: () => undefined }));
  try {
    await run(m);
  } finally {
    await m.close();
  }
}

const order = (mchId: string, no: string) => ({
  pid: mchId,
  type: "wxpay",
  out_trade_no: no,
  notify_url: "http://127.0.0.1:9/notify",
  name: "测试 1+1",
  money: "1.50",
  device: "pc",
});

const mapi = async (m: Mounted<VkspaySandbox>, params: Record<string, string>) =>
  (await (await fetch(`${m.base}/mapi.php`, { method: "POST", body: new URLSearchParams(params) })).json()) as Record<string, any>;

describe("VksPay sandbox (易支付)", () => {
  it("takes an order signed with the key appended directly and refuses the &key= variant, a wrong key and a changed field", () =>
    withSandbox(undefined, async (m) => {
      const { mchId, key } = m.sandbox.keys;
      const params = order(mchId, "VK-1");
      expect(await mapi(m, { ...params, sign: md5(params, key), sign_type: "MD5" })).toMatchObject({
        code: 1,
        qrcode: expect.stringContaining("/cashier?out_trade_no=VK-1"),
      });
      expect(await mapi(m, { ...order(mchId, "VK-2"), sign: md5(order(mchId, "VK-2"), key, "&key="), sign_type: "MD5" })).toMatchObject({ code: -1 });
      expect(await mapi(m, { ...order(mchId, "VK-3"), sign: md5(order(mchId, "VK-3"), `${key}x`), sign_type: "MD5" })).toMatchObject({ code: -1 });
      expect(await mapi(m, { ...params, money: "0.01", sign: md5(params, key), sign_type: "MD5" })).toMatchObject({ code: -1 });
      expect(m.sandbox.state.trade("VK-2")).toBeUndefined();
    }));

  it("speaks the &key= clone variant when configured so", () =>
    withSandbox("&key=", async (m) => {
      const params = order(m.sandbox.keys.mchId, "VK-4");
      expect(await mapi(m, { ...params, sign: md5(params, m.sandbox.keys.key, "&key="), sign_type: "MD5" })).toMatchObject({ code: 1 });
    }));

  it("answers api.php?act=order only to the merchant's key", () =>
    withSandbox(undefined, async (m) => {
      const { mchId, key } = m.sandbox.keys;
      const params = order(mchId, "VK-5");
      await mapi(m, { ...params, sign: md5(params, key), sign_type: "MD5" });
      const query = async (k: string) =>
        (await (await fetch(`${m.base}/api.php?${new URLSearchParams({ act: "order", pid: mchId, key: k, out_trade_no: "VK-5" })}`)).json()) as any;
      expect(await query(key)).toMatchObject({ code: 1, status: 0, money: "1.50", out_trade_no: "VK-5" });
      expect(await query("wrong")).toMatchObject({ code: -3 });
    }));
});
