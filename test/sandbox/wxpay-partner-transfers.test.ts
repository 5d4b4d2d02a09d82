import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { callApi, decryptResource, type MerchantIdentity } from "./helpers/wxpay-merchant";

/**
 * 商家转账 over the service provider's paths (/v3/fund-app/mch-transfer/partner/transfer-bills): the
 * provider–sub-merchant relation and the sub_mchid are checked on create, query and cancel; the bill is
 * kept with the sub-merchant paying and is not visible over the direct-merchant paths; the notification
 * names the sub-merchant and is encrypted for the provider.
 */
describe("WeChat Pay sandbox: service-provider transfer bills", () => {
  let h: Harness;
  let sp: MerchantIdentity;
  let sub: { mchId: string; appId: string };
  let other: { mchId: string; appId: string };
  const PATH = "/v3/fund-app/mch-transfer/partner/transfer-bills";

  beforeAll(async () => {
    h = await startHarness({ persist: false });
    const { partner } = h.sandbox.keys;
    sp = { mchid: partner.mchId, serial: partner.merchantSerial, privateKeyPem: partner.merchantPrivateKeyPem };
    [sub, other] = partner.subMerchants;
  });
  afterAll(() => h.close());
  beforeEach(() => h.receiver.received.splice(0));

  const serial = (): { headers: Record<string, string> } => ({ headers: { "Wechatpay-Serial": h.sandbox.keys.wxpayPublicKeyId } });
  const api = (method: "GET" | "POST", target: string, body?: unknown, identity = sp) => callApi(h.base, identity, method, target, body, serial());
  const billBody = (no: string, extra: Record<string, unknown> = {}) => ({
    sub_mchid: sub.mchId,
    appid: sub.appId,
    out_bill_no: no,
    transfer_scene_id: "1000",
    transfer_scene_report_infos: [
      { info_type: "活动名称", info_content: "新会员有礼" },
      { info_type: "奖励说明", info_content: "注册奖励" },
    ],
    openid: "oSubOpenid0000000000000000001",
    transfer_amount: 120,
    transfer_remark: "奖励",
    notify_url: `${h.receiver.url}/transfer-notify/wxpay/${no}`,
    ...extra,
  });

  it("makes, finds and confirms a bill for the sub-merchant; the notification names it and decrypts with the provider's key", async () => {
    const no = newOrderNo("PT");
    const created = await api("POST", PATH, billBody(no));
    expect(created).toMatchObject({ status: 200, json: { out_bill_no: no, state: "WAIT_USER_CONFIRM", package_info: expect.any(String) } });
    expect((await api("GET", `${PATH}/out-bill-no/${no}?sub_mchid=${sub.mchId}`)).json).toMatchObject({
      mch_id: sp.mchid,
      sub_mchid: sub.mchId,
      appid: sub.appId,
      transfer_bill_no: created.json.transfer_bill_no,
      package_info: created.json.package_info,
    });
    // sub_mchid is optional on the query; another sub-merchant's name finds nothing, nor do the direct paths.
    expect((await api("GET", `${PATH}/out-bill-no/${no}`)).json).toMatchObject({ sub_mchid: sub.mchId });
    expect((await api("GET", `${PATH}/out-bill-no/${no}?sub_mchid=${other.mchId}`)).status).toBe(404);
    expect((await api("GET", `/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/${no}`)).status).toBe(404);
    expect((await api("POST", `/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/${no}/cancel`)).status).toBe(404);

    // The same number again is the same bill; under another sub-merchant it is refused.
    expect((await api("POST", PATH, billBody(no))).json).toMatchObject({ transfer_bill_no: created.json.transfer_bill_no });
    expect((await api("POST", PATH, billBody(no, { sub_mchid: other.mchId, appid: other.appId }))).json).toMatchObject({ code: "INVALID_REQUEST" });
    expect((await h.control("transfer-requests", { mchid: sp.mchid, out_bill_no: no })).json).toMatchObject({ requests: 2 });

    expect((await h.control("transfer-confirm", { mchid: sp.mchid, out_bill_no: no })).json).toMatchObject({ ok: true, state: "SUCCESS" });
    await h.sandbox.idle();
    const [notification] = h.receiver.received;
    const envelope = JSON.parse(notification!.body);
    expect(envelope.event_type).toBe("MCHTRANSFER.BILL.FINISHED");
    expect(JSON.parse(decryptResource(envelope.resource, h.sandbox.keys.partner.v3Key))).toMatchObject({
      mch_id: sp.mchid,
      sub_mchid: sub.mchId,
      out_bill_no: no,
      state: "SUCCESS",
      transfer_amount: 120,
    });
  });

  it("checks the sub-merchant, its relation to the provider, the app and Wechatpay-Serial as WeChat does", async () => {
    const refused = async (body: Record<string, unknown>, identity = sp, headers = serial()) =>
      (await callApi(h.base, identity, "POST", PATH, body, headers)).json;
    const { sub_mchid: _omitted, ...withoutSub } = billBody(newOrderNo("PT"));
    expect(await refused(withoutSub)).toMatchObject({ code: "PARAM_ERROR" });
    expect(await refused(billBody(newOrderNo("PT"), { sub_mchid: "1900009999" }))).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await refused(billBody(newOrderNo("PT"), { appid: other.appId }))).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await refused(billBody(newOrderNo("PT")), sp, { headers: {} })).toMatchObject({ code: "PARAM_ERROR" });
    // A direct merchant has no sub-merchants to pay from.
    expect(await refused(billBody(newOrderNo("PT")), h.merchant)).toMatchObject({ code: "INVALID_REQUEST" });
    // The provider's own app is accepted as well as the sub-merchant's.
    expect((await api("POST", PATH, billBody(newOrderNo("PT"), { appid: h.sandbox.keys.partner.appId }))).json).toMatchObject({ state: "WAIT_USER_CONFIRM" });
  });

  it("cancels with the bill's sub_mchid only; a final bill cannot be cancelled", async () => {
    const no = newOrderNo("PT");
    expect((await api("POST", PATH, billBody(no))).status).toBe(200);
    expect((await api("POST", `${PATH}/out-bill-no/${no}/cancel`, {})).json).toMatchObject({ code: "PARAM_ERROR" });
    expect((await api("POST", `${PATH}/out-bill-no/${no}/cancel`, { sub_mchid: other.mchId })).status).toBe(404);
    expect((await api("POST", `${PATH}/out-bill-no/${no}/cancel`, { sub_mchid: sub.mchId })).json).toMatchObject({ sub_mchid: sub.mchId, state: "CANCELING" });
    expect((await api("GET", `${PATH}/out-bill-no/${no}?sub_mchid=${sub.mchId}`)).json).toMatchObject({ state: "CANCELLED", fail_reason: "MCH_CANCEL" });
    expect((await api("POST", `${PATH}/out-bill-no/${no}/cancel`, { sub_mchid: sub.mchId })).json).toMatchObject({ code: "INVALID_REQUEST" });
  });
});
