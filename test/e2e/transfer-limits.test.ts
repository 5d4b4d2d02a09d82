import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/**
 * Transfer limits as a merchant sets them: in `uni-pay/config.js` under the data directory (the file
 * `npm start` generates, here wrapped to add `limits` to each provider's transfer sub-config), read by
 * vk-pay in the emulator and enforced before the sandbox hears of a transfer.
 */
const LIMITED_CONFIG = `
const base = require("./config.generated.js");
const limited = (block, limits) => ({ ...block, transfer: { ...block.transfer, limits } });
module.exports = {
  ...base,
  wxpay: limited(base.wxpay, { perTransfer: 5000, perPayeeDaily: 3000, daily: 6000 }),
  alipay: limited(base.alipay, { perTransfer: 800, daily: 1000 }),
};
`;

describe("transfer limits from the config file, end to end", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let admin: string;
  let serial = 0;
  const billNo = () => `TL${Date.now()}${++serial}`;
  const client = async (data: Record<string, unknown>) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { url: "admin/transfer", data, uniIdToken: admin }, clientInfo: { PLATFORM: "web", APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const wxpay = (openid: string, amount: number, outBillNo = billNo()) =>
    client({ provider: "wxpay", out_bill_no: outBillNo, openid, transfer_amount: amount });
  const alipay = (amount: number, outBillNo = billNo()) =>
    client({ provider: "alipay", out_bill_no: outBillNo, payee_account: "2088000000000001", transfer_amount: amount });
  /** Whether the sandbox ever received the bill. */
  const billAtSandbox = async (outBillNo: string) => (await env.control("wxpay", "transfer-requests", { out_bill_no: outBillNo })).ok === true;

  beforeAll(async () => {
    env = await startPayingSpace({
      prepareDataDir: async (dataDir) => {
        await prepareDataDir(dataDir);
        const folder = join(dataDir, "uni-config-center/uni-pay");
        renameSync(join(folder, "config.js"), join(folder, "config.generated.js"));
        writeFileSync(join(folder, "config.js"), LIMITED_CONFIG);
      },
    });
    await env.db.collection("uni-id-users").add({ _id: "boss", role: ["admin"], status: 0 });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it("refuses a WeChat transfer above perTransfer before sending it, and keeps its number free", async () => {
    const outBillNo = billNo();
    expect(await wxpay("o-limit-big", 5001, outBillNo)).toMatchObject({ code: 1008, errCode: "vk-pay-amount-too-large" });
    expect(await billAtSandbox(outBillNo)).toBe(false);
    expect((await env.db.collection("vk-pay-transfers").doc(outBillNo).get()).data).toHaveLength(0);
    expect(await wxpay("o-limit-big", 1000, outBillNo)).toMatchObject({ code: 0, data: { state: "WAIT_USER_CONFIRM" } });
  });

  it("lets one payee receive at most perPayeeDaily in a Beijing day, others unaffected", async () => {
    // The merchant's WeChat day stands at 1000 (above).
    const first = billNo();
    expect(await wxpay("o-payee-x", 2000, first)).toMatchObject({ code: 0 });
    expect(await env.control("wxpay", "confirm", { out_bill_no: first })).toMatchObject({ ok: true, state: "SUCCESS" });
    await env.wxpay.idle();
    const refused = billNo();
    expect(await wxpay("o-payee-x", 1001, refused)).toMatchObject({ code: 4006, errCode: "vk-pay-transfer-payee-daily-limit" });
    expect(await billAtSandbox(refused)).toBe(false);
    expect(await wxpay("o-payee-y", 1001)).toMatchObject({ code: 0 });
    expect(await wxpay("o-payee-x", 1000)).toMatchObject({ code: 0 });
  });

  it("holds WeChat's daily total; a refused transfer counts nothing, and Alipay's totals are its own", async () => {
    // 1000 + 2000 + 1001 + 1000 = 5001 of 6000 paid through WeChat today.
    const refused = billNo();
    expect(await wxpay("o-limit-z", 1000, refused)).toMatchObject({ code: 4007, errCode: "vk-pay-transfer-daily-limit" });
    expect(await billAtSandbox(refused)).toBe(false);
    expect(await wxpay("o-limit-z", 999)).toMatchObject({ code: 0 });
    expect(await wxpay("o-limit-w", 10)).toMatchObject({ code: 4007 });

    // Alipay: 800 per transfer, 1000 a day, untouched by the 6000 paid through WeChat.
    expect(await alipay(801)).toMatchObject({ code: 1008 });
    expect(await alipay(800)).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
    expect(await alipay(201)).toMatchObject({ code: 4007 });
    expect(await alipay(200)).toMatchObject({ code: 0, data: { state: "SUCCESS" } });
  });
});
