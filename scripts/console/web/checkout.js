import { call, payClient } from "./cloud.js";
import { token } from "./session.js";
import { dateTime, failureText, h, kv, mount, yuan } from "./ui.js";

// The H5 checkout: an order of any built-in type, paid with any registered provider and mode, through the
// client SDK's vkPay.pay, exactly as a uni-app page calls it. The page then shows what the type's hook did.

const TYPES = [
  ["recharge", "余额充值"],
  ["goods", "购买商品"],
  ["vip", "开通会员"],
  ["custom", "自定义"],
];

const MODE_LABELS = {
  h5: "PC 扫码",
  "app-plus": "App 支付",
  "mp-weixin": "微信小程序",
  "mp-alipay": "支付宝小程序",
  "mp-toutiao": "抖音小程序",
  "mp-harmony": "鸿蒙元服务",
};

const state = { type: "recharge", provider: "", mode: "", providers: [], goods: [], plans: [], running: undefined };

async function loadChoices() {
  const reply = await fetch("/console/api/providers").then((r) => r.json());
  state.providers = reply.providers.filter((p) => p.modes.length > 0);
  if (!state.providers.some((p) => p.name === state.provider)) state.provider = (state.providers.find((p) => p.sandbox) ?? state.providers[0])?.name ?? "";
  const provider = state.providers.find((p) => p.name === state.provider);
  if (provider && !provider.modes.some((m) => m.mode === state.mode)) state.mode = provider.modes[0]?.mode ?? "";
  if (!token("user")) return;
  const [goods, plans] = await Promise.all([call("user", "pay/getGoods"), call("user", "pay/getVipPlans")]);
  state.goods = goods.code === 0 ? goods.data.rows : [];
  state.plans = plans.code === 0 ? plans.data.rows : [];
}

/** The user's account and the goods' stock: what the hooks change, read before and after paying. */
async function snapshot() {
  const [info, goods] = await Promise.all([call("user", "user/getInfo"), call("user", "pay/getGoods")]);
  return {
    balance: info.code === 0 ? info.data.balance : undefined,
    vip: info.code === 0 ? info.data.vip_expire_date : undefined,
    stock: Object.fromEntries((goods.code === 0 ? goods.data.rows : []).map((g) => [g._id, g.stock])),
  };
}

function seg(items, selected, onPick) {
  return h(
    "div.seg",
    items.map(([value, label, note]) =>
      h(
        `button${value === selected ? ".on" : ""}`,
        { type: "button", dataset: { value }, onclick: () => onPick(value) },
        label,
        note ? h("small", note) : null,
      ),
    ),
  );
}

function orderInputs() {
  if (state.type === "recharge" || state.type === "custom") {
    return h("label.field", h("span", "金额（元）"), h("input", { id: "amount", type: "number", min: "0.01", step: "0.01", value: "10.00" }));
  }
  if (state.type === "goods") {
    if (!state.goods.length) return h("div.notice", "没有商品：vk-pay-goods 集合为空（npm start 会放入示例商品）。");
    return h(
      "div",
      h(
        "label.field",
        h("span", "商品"),
        h(
          "select",
          { id: "goods" },
          state.goods.map((g) => h("option", { value: g._id }, `${g.name} · ${yuan(g.price)} · 库存 ${g.stock}`)),
        ),
      ),
      h("label.field", h("span", "数量"), h("input", { id: "quantity", type: "number", min: "1", step: "1", value: "1" })),
    );
  }
  if (!state.plans.length) return h("div.notice", "没有会员套餐：uni-pay/config.js 的 orderTypes.vip.plans 为空。");
  return h(
    "label.field",
    h("span", "套餐"),
    h(
      "select",
      { id: "plan" },
      state.plans.map((p) => h("option", { value: p.vip_type }, `${p.vip_type} · ${yuan(p.total_fee)} · ${p.days} 天`)),
    ),
  );
}

/** What vkPay.pay sends as `data` for the chosen type: the type's create hook prices it again. */
function orderData() {
  if (state.type === "recharge" || state.type === "custom") {
    const fen = Math.round(Number(document.getElementById("amount").value) * 100);
    return { total_fee: fen, subject: state.type === "recharge" ? "余额充值" : "自定义订单" };
  }
  if (state.type === "goods") {
    const goods = state.goods.find((g) => g._id === document.getElementById("goods").value);
    const quantity = Number(document.getElementById("quantity").value);
    return { total_fee: goods.price * quantity, custom: { goods_id: goods._id, quantity } };
  }
  const plan = state.plans.find((p) => p.vip_type === document.getElementById("plan").value);
  return { total_fee: plan.total_fee, custom: { vip_type: plan.vip_type } };
}

function effectPanel(before, after, data) {
  const cells = [
    ["余额", yuan(before.balance), yuan(after.balance), before.balance !== after.balance],
    ["会员到期", dateTime(before.vip), dateTime(after.vip), before.vip !== after.vip],
  ];
  const goodsId = data.custom?.goods_id;
  if (goodsId) cells.push(["库存", String(before.stock[goodsId] ?? "—"), String(after.stock[goodsId] ?? "—"), before.stock[goodsId] !== after.stock[goodsId]]);
  return h(
    "div",
    h("h2", "业务回调的效果"),
    h(
      "div.effect",
      { id: "effect" },
      cells.map(([label, was, now, changed]) =>
        h(changed ? "div.changed" : "div", { dataset: { effect: label } }, h("span", label), h("b", now), h("span", `之前 ${was}`)),
      ),
    ),
  );
}

function cashierLink(provider, outTradeNo) {
  return `/__sandbox/${encodeURIComponent(provider)}/cashier?out_trade_no=${encodeURIComponent(outTradeNo)}`;
}

/**
 * The sandbox's cashier page when it has one (it answers HTML for an order it knows); otherwise its
 * control API's `pay`, which every sandbox answers (SPEC §9), stands in for the payer.
 */
async function offerSandbox(provider, outTradeNo, link) {
  const slot = document.getElementById("cashier-slot");
  const page = await fetch(link).catch(() => undefined);
  if (!slot) return;
  if (page?.ok && (page.headers.get("content-type") ?? "").startsWith("text/html")) {
    slot.replaceChildren(h("a.btn.primary", { id: "cashier-link", href: link, target: "_blank", rel: "noopener" }, "打开沙箱收银台"));
    return;
  }
  const pay = async () => {
    const reply = await fetch(`/__sandbox/${encodeURIComponent(provider)}/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ out_trade_no: outTradeNo }),
    }).then((r) => r.json());
    if (!reply.ok) slot.append(h("p.muted", `沙箱拒绝：${reply.error ?? JSON.stringify(reply)}`));
  };
  slot.replaceChildren(
    h("button.btn.primary", { id: "sandbox-pay", type: "button", onclick: pay }, "在沙箱中模拟支付成功"),
    h("p.muted", "此沙箱没有收银台页面，按钮调用它的控制 API：POST pay。"),
  );
}

async function startPayment(panel) {
  const provider = state.providers.find((p) => p.name === state.provider);
  const mode = provider?.modes.find((m) => m.mode === state.mode);
  if (!provider || !mode) return;
  let data;
  try {
    data = orderData();
  } catch {
    return;
  }
  state.running?.stopPolling();
  const status = h("div.status-line", { id: "pay-status" }, h("span.spin"), "正在下单…");
  const body = h("div", { id: "pay-body" });
  mount(panel, h("h2", "支付"), status, body);
  const setStatus = (text, spinning = true) => status.replaceChildren(...(spinning ? [h("span.spin")] : []), text);
  const before = await snapshot();
  let created;
  const showPay = (codeUrl) => {
    const link = codeUrl || cashierLink(provider.name, created.out_trade_no);
    body.replaceChildren(
      kv([
        ["商户订单号", h("span.mono", { id: "out-trade-no" }, created.out_trade_no)],
        ["支付方式", h("span.mono", created.pay_type)],
        ["金额", yuan(created.total_fee)],
      ]),
      h(
        "div.qr",
        { style: "margin-top:16px" },
        codeUrl ? h("img", { id: "qr", alt: "支付二维码", src: `/console/qr.svg?text=${encodeURIComponent(codeUrl)}` }) : null,
        h(
          "div",
          h("p", codeUrl ? "用手机扫码，或在本地沙箱收银台付款：" : `已调用 uni.requestPayment（${mode.platform}）。本地没有真机，请在沙箱收银台付款：`),
          h("div", { id: "cashier-slot" }, h("span.muted", provider.sandbox ? "正在查找沙箱收银台…" : "此服务商没有本地沙箱。")),
          h("p.muted", { style: "margin-top:10px" }, "支付后本页自动更新（页面隐藏时暂停查询）。"),
        ),
      ),
    );
    setStatus("等待支付…");
    if (provider.sandbox) void offerSandbox(provider.name, created.out_trade_no, link);
  };
  const vkPay = payClient(mode.platform, () => created && showPay(""));
  state.running = vkPay;
  const visibility = () => vkPay.setPageVisible(document.visibilityState !== "hidden");
  document.addEventListener("visibilitychange", visibility);
  try {
    const result = await vkPay.pay({
      provider: provider.name,
      type: state.type,
      data,
      isPC: mode.isPC,
      needQRcode: mode.needQRcode,
      awaitNotify: true,
      onCreate: (order) => {
        created = order;
      },
      onQrcode: (info) => showPay(info.codeUrl),
    });
    if (!result.orderPaid) return setStatus("未支付", false);
    setStatus("", false);
    status.replaceChildren(h("span.pill.ok", { id: "paid" }, "支付成功"), h("span.muted", `订单 ${result.out_trade_no}`));
    const after = await snapshot();
    body.append(
      h("div", { style: "margin-top:18px" }, effectPanel(before, after, data)),
      h("p", { style: "margin-top:16px" }, h("a.btn", { id: "order-link", href: `#/orders/${encodeURIComponent(result.out_trade_no)}` }, "查看订单详情 →")),
    );
  } catch (error) {
    if (error?.cancelled || error?.failType === "request") setStatus(error.msg || "已取消", false);
    else {
      status.replaceChildren(
        h("span.pill.bad", "失败"),
        h("span", { id: "pay-error" }, error?.code !== undefined ? failureText(error) : String(error?.message ?? error)),
      );
      if (created) body.prepend(h("p.muted", `订单 ${created.out_trade_no}`));
    }
  } finally {
    document.removeEventListener("visibilitychange", visibility);
  }
}

export async function renderCheckout(view) {
  await loadChoices();
  const panel = h("div.card", { id: "pay-panel" }, h("h2", "支付"), h("p.empty", "选好订单类型、服务商和支付方式后点击“发起支付”。"));
  const draw = () => {
    const provider = state.providers.find((p) => p.name === state.provider);
    mount(
      view,
      h("h1", "收银台"),
      h("p.sub", "以用户令牌下单，与 uni-app H5 页面一样经 vkPay.pay 调用云函数 vk-pay。"),
      token("user") ? null : h("div.notice", "请先登录：收银台需要用户令牌。"),
      h(
        "div.grid",
        h(
          "div.card",
          h("h2", "订单类型"),
          seg(TYPES, state.type, (type) => ((state.type = type), draw())),
          h("div", { style: "margin-top:14px" }, orderInputs()),
          h("h2", { style: "margin-top:8px" }, "服务商"),
          state.providers.length
            ? seg(
                state.providers.map((p) => [p.name, p.label, p.sandbox ? p.name : `${p.name} · 无本地沙箱`]),
                state.provider,
                (name) => {
                  state.provider = name;
                  state.mode = state.providers.find((p) => p.name === name).modes[0].mode;
                  draw();
                },
              )
            : h("p.muted", "没有注册的服务商。"),
          h("h2", { style: "margin-top:18px" }, "支付方式"),
          provider
            ? seg(
                provider.modes.map((m) => [m.mode, MODE_LABELS[m.mode] ?? m.mode, `${provider.name}_${m.mode}`]),
                state.mode,
                (mode) => ((state.mode = mode), draw()),
              )
            : null,
          h(
            "div.row",
            { style: "margin-top:20px" },
            h("button.btn.primary.big", { id: "pay", type: "button", disabled: !token("user"), onclick: () => startPayment(panel) }, "发起支付"),
          ),
        ),
        panel,
      ),
    );
  };
  draw();
}
