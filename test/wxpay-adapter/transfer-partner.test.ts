import { NetworkError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { authorizationVerifies, FakeWechat, issuePlatformCertificate, MCH_ID, APP_ID, memoryDatabase, merchantConfig, type Identity } from "./fake-wechat";

/**
 * 商家转账 as a service provider (服务商): a transfer sub-config with `subMchId` sends the bill, its query
 * and its cancel to the `/partner/` paths with `sub_mchid` (doc 4015469096, 4015469131, 4015469118),
 * always with Wechatpay-Serial, and refuses an answer about another sub-merchant.
 */
const SUB_MCHID = "1900000201";
const SUB_APPID = "wx0000000000000201";
const PATH = "/v3/fund-app/mch-transfer/partner/transfer-bills";
const SCENE = {
  defaultSceneId: "1000",
  defaultSceneReportInfos: [
    { info_type: "活动名称", info_content: "新会员有礼" },
    { info_type: "奖励说明", info_content: "注册奖励" },
  ],
};

describe("wxpay v3 transfers in service-provider mode", () => {
  let platform: Identity;
  let wechat: FakeWechat;
  let database: ReturnType<typeof memoryDatabase>;
  let provider: ReturnType<typeof createWxpayProvider>;
  const config = merchantConfig({ ...SCENE, subMchId: SUB_MCHID, subAppId: SUB_APPID });
  const request = (overrides: Record<string, unknown> = {}) => ({
    mode: "transfer",
    config,
    outBillNo: "TB1",
    amount: 120,
    payee: { account: "o-sub-payee" },
    remark: "奖励",
    ...overrides,
  });
  const bill = (overrides: Record<string, unknown> = {}) => ({
    mch_id: MCH_ID,
    sub_mchid: SUB_MCHID,
    out_bill_no: "TB1",
    transfer_bill_no: "1330000000000001",
    appid: SUB_APPID,
    state: "WAIT_USER_CONFIRM",
    transfer_amount: 120,
    openid: "o-sub-payee",
    package_info: "PKG",
    ...overrides,
  });

  beforeAll(async () => {
    platform = await issuePlatformCertificate("5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
  });
  beforeEach(() => {
    wechat = new FakeWechat(platform);
    wechat.on(`POST ${PATH}`, () => ({ body: { out_bill_no: "TB1", transfer_bill_no: "1330000000000001", state: "WAIT_USER_CONFIRM", package_info: "PKG" } }));
    wechat.on(`GET ${PATH}/out-bill-no/TB1`, () => ({ body: bill() }));
    wechat.on(`POST ${PATH}/out-bill-no/TB1/cancel`, () => ({ body: { sub_mchid: SUB_MCHID, out_bill_no: "TB1", state: "CANCELING" } }));
    database = memoryDatabase();
    provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
  });
  afterEach(() => database.close());

  it("sends the bill to the partner path with sub_mchid and the sub-merchant's app, and gives requestMerchantTransfer subMchId", async () => {
    const status = await provider.transfer!(request(), wechat.runtime);
    const [call] = wechat.calls(`POST ${PATH}`);
    expect(authorizationVerifies(call!, PATH)).toBe(true);
    expect(JSON.parse(call!.content)).toMatchObject({
      sub_mchid: SUB_MCHID,
      appid: SUB_APPID,
      out_bill_no: "TB1",
      openid: "o-sub-payee",
      transfer_amount: 120,
    });
    // Required by the partner API even without user_name.
    expect(call!.headers["wechatpay-serial"]).toBe(platform.serial);
    expect(JSON.parse(call!.content).user_name).toBeUndefined();
    expect(status).toMatchObject({ state: "WAIT_USER_CONFIRM", subMchId: SUB_MCHID, transferBillNo: "1330000000000001" });
    expect(status.confirmInfo).toEqual({ mchId: MCH_ID, subMchId: SUB_MCHID, subAppId: SUB_APPID, package: "PKG" });
  });

  it("names the provider's app as appId when the payee's openid is the provider's", async () => {
    const status = await provider.transfer!(request({ other: { appid: APP_ID } }), wechat.runtime);
    expect(JSON.parse(wechat.calls(`POST ${PATH}`)[0]!.content).appid).toBe(APP_ID);
    expect(status.confirmInfo).toEqual({ mchId: MCH_ID, subMchId: SUB_MCHID, appId: APP_ID, package: "PKG" });
  });

  it("queries by out_bill_no with sub_mchid in the signed query, also when asked by transfer_bill_no, and checks the number", async () => {
    const ref = { mode: "transfer", config, outBillNo: "TB1" };
    expect(await provider.queryTransfer!(ref, wechat.runtime)).toMatchObject({ state: "WAIT_USER_CONFIRM", subMchId: SUB_MCHID, amount: 120 });
    const [call] = wechat.calls(`GET ${PATH}/out-bill-no/TB1`);
    expect(call!.url).toBe(`https://wechat.test/prefix${PATH}/out-bill-no/TB1?sub_mchid=${SUB_MCHID}`);
    expect(authorizationVerifies(call!, `${PATH}/out-bill-no/TB1?sub_mchid=${SUB_MCHID}`)).toBe(true);
    expect(await provider.queryTransfer!({ ...ref, transferBillNo: "1330000000000001" }, wechat.runtime)).toMatchObject({ state: "WAIT_USER_CONFIRM" });
    await expect(provider.queryTransfer!({ ...ref, transferBillNo: "1330000000000999" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
  });

  it("refuses an answer about another sub-merchant", async () => {
    wechat.on(`GET ${PATH}/out-bill-no/TB1`, () => ({ body: bill({ sub_mchid: "1900000202" }) }));
    await expect(provider.queryTransfer!({ mode: "transfer", config, outBillNo: "TB1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
  });

  it("cancels with sub_mchid in the body", async () => {
    expect(await provider.cancelTransfer!({ mode: "transfer", config, outBillNo: "TB1" }, wechat.runtime)).toMatchObject({ state: "CANCELING" });
    const [call] = wechat.calls(`POST ${PATH}/out-bill-no/TB1/cancel`);
    expect(JSON.parse(call!.content)).toEqual({ sub_mchid: SUB_MCHID });
  });

  it("asks about the sub-merchant the stored transfer was paid from, even after the config names another", async () => {
    const moved = merchantConfig({ ...SCENE, subMchId: "1900000202" });
    const ref = { mode: "transfer", config: moved, outBillNo: "TB1", partner: { subMchId: SUB_MCHID } };
    expect(await provider.queryTransfer!(ref, wechat.runtime)).toMatchObject({ subMchId: SUB_MCHID });
    expect(wechat.calls(`GET ${PATH}/out-bill-no/TB1`)[0]!.url).toContain(`sub_mchid=${SUB_MCHID}`);
    await provider.cancelTransfer!(ref, wechat.runtime);
    expect(JSON.parse(wechat.calls(`POST ${PATH}/out-bill-no/TB1/cancel`)[0]!.content)).toEqual({ sub_mchid: SUB_MCHID });
    // A stored sub_mchid is checked like one from the config before it goes into a URL.
    await expect(provider.queryTransfer!({ ...ref, partner: { subMchId: "../x" } }, wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
  });

  it("refuses a malformed subMchId and a subAppId without one before sending", async () => {
    await expect(provider.transfer!(request({ config: merchantConfig({ ...SCENE, subMchId: "19/00" }) }), wechat.runtime)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(provider.transfer!(request({ config: merchantConfig({ ...SCENE, subAppId: SUB_APPID }) }), wechat.runtime)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(wechat.calls(`POST ${PATH}`)).toHaveLength(0);
  });

  it("keeps the direct-merchant paths without subMchId", async () => {
    wechat.on("POST /v3/fund-app/mch-transfer/transfer-bills", () => ({ body: { out_bill_no: "TB1", state: "WAIT_USER_CONFIRM", package_info: "PKG" } }));
    const status = await provider.transfer!(request({ config: merchantConfig(SCENE) }), wechat.runtime);
    const [call] = wechat.calls("POST /v3/fund-app/mch-transfer/transfer-bills");
    expect(JSON.parse(call!.content).sub_mchid).toBeUndefined();
    expect(call!.headers["wechatpay-serial"]).toBeUndefined();
    expect(status.confirmInfo).toEqual({ mchId: MCH_ID, appId: APP_ID, package: "PKG" });
  });
});
