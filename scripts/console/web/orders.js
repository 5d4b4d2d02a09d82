import { call } from "./cloud.js";
import { dateTime, failureText, h, hookPill, json, kv, mount, pill, refundPill, toast, yuan } from "./ui.js";

// Orders through admin/orders (the list form of the seed: where, orderBy, pageIndex, pageSize) and an
// order's detail with its refunds, its hook attempts and every notification received for it. Refund,
// close and re-running a hook go through admin/refund, admin/closeOrder and admin/hookRetry.

const PAGE_SIZE = 20;
const FILTERS = ["provider", "type", "status", "user_id", "date"];
const STATUSES = ["NOTPAY", "USERPAYING", "SUCCESS", "REFUND", "CLOSED"];
const TYPES = ["recharge", "goods", "vip", "custom"];

/** A day (yyyy-mm-dd, local time) as the create_date range the list form takes. */
function dayRange(day) {
  const start = new Date(`${day}T00:00:00`).getTime();
  return Number.isFinite(start) ? { gte: start, lt: start + 86_400_000 } : undefined;
}

function listForm(params) {
  const where = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (!value) continue;
    if (key === "date") {
      const range = dayRange(value);
      if (range) where.create_date = range;
    } else where[key] = value;
  }
  return { where, orderBy: "create_date desc", pageIndex: Math.max(1, Number(params.get("page")) || 1), pageSize: PAGE_SIZE };
}

function filterBar(params, providers) {
  const select = (name, label, options) =>
    h(
      "label",
      h("span", label),
      h(
        "select",
        { name },
        h("option", { value: "" }, "全部"),
        options.map(([value, text]) => h("option", { value, selected: params.get(name) === value }, text)),
      ),
    );
  const form = h(
    "form.filters",
    { id: "order-filters" },
    select(
      "provider",
      "服务商",
      providers.map((p) => [p.name, `${p.label}（${p.name}）`]),
    ),
    select(
      "type",
      "订单类型",
      TYPES.map((t) => [t, t]),
    ),
    select(
      "status",
      "状态",
      STATUSES.map((s) => [s, s]),
    ),
    h("label", h("span", "用户 uid"), h("input", { name: "user_id", value: params.get("user_id") ?? "", placeholder: "demo-user" })),
    h("label", h("span", "下单日期"), h("input", { name: "date", type: "date", value: params.get("date") ?? "" })),
  );
  form.addEventListener("change", () => {
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, String(value));
    location.hash = `#/orders${next.size ? `?${next}` : ""}`;
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

export async function renderOrders(view, params) {
  const [providers, reply] = await Promise.all([fetch("/console/api/providers").then((r) => r.json()), call("admin", "admin/orders", listForm(params))]);
  const header = [h("h1", "订单"), h("p.sub", "vk-pay-orders 中的订单；点击一行查看详情。"), filterBar(params, providers.providers)];
  if (reply.code !== 0) return mount(view, ...header, h("div.notice.bad", `无法读取订单：${failureText(reply)}。订单页需要管理员令牌。`));
  const { rows, total, pagination } = reply.data;
  const pages = Math.max(1, Math.ceil(total / pagination.pageSize));
  const goto = (page) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    location.hash = `#/orders?${next}`;
  };
  const table = h(
    "table",
    { id: "orders" },
    h(
      "thead",
      h(
        "tr",
        ["商户订单号", "类型", "服务商 / 方式", "用户", "金额", "已退款", "状态", "回调", "下单时间"].map((t) => h("th", t)),
      ),
    ),
    h(
      "tbody",
      rows.length
        ? rows.map((o) =>
            h(
              "tr.link",
              { dataset: { outTradeNo: o.out_trade_no }, onclick: () => (location.hash = `#/orders/${encodeURIComponent(o.out_trade_no)}`) },
              h("td.mono", o.out_trade_no),
              h("td", o.type),
              h("td", o.provider, h("div.muted.mono", o.pay_type)),
              h("td.mono", o.user_id ?? "—"),
              h("td.num", yuan(o.total_fee)),
              h("td.num", o.refund_fee ? yuan(o.refund_fee) : "—"),
              h("td", pill(o.status)),
              h("td", o.status === "NOTPAY" || o.status === "CLOSED" ? h("span.muted", "—") : hookPill(o)),
              h("td.muted", dateTime(o.create_date)),
            ),
          )
        : h("tr", h("td.empty", { colspan: 9 }, "没有符合条件的订单。")),
    ),
  );
  mount(
    view,
    ...header,
    h(
      "div.card",
      table,
      h(
        "div.row",
        { style: "margin-top:12px" },
        h("span.muted", `共 ${total} 条 · 第 ${pagination.pageIndex} / ${pages} 页`),
        h("span.spacer"),
        h("button.btn", { id: "prev-page", disabled: pagination.pageIndex <= 1, onclick: () => goto(pagination.pageIndex - 1) }, "上一页"),
        h("button.btn", { id: "next-page", disabled: !reply.data.hasMore, onclick: () => goto(pagination.pageIndex + 1) }, "下一页"),
      ),
    ),
  );
}

function notificationRows(notifications) {
  if (!notifications.length) return h("p.muted", "还没有收到这笔订单的通知。");
  return h(
    "table",
    { id: "order-notifications" },
    h(
      "thead",
      h(
        "tr",
        ["时间", "种类", "结果", "原因", "原文"].map((t) => h("th", t)),
      ),
    ),
    h(
      "tbody",
      notifications.map((n) =>
        h(
          "tr",
          h("td.muted", dateTime(n.create_date)),
          h("td", n.kind ?? "—"),
          h("td", pill(n.outcome)),
          h(
            "td",
            n.reason ?? (n.hook ? `hook ${n.hook}` : "—"),
            // A refusal's diagnosis, as the notification log records it (never key material).
            n.serial ? h("div.muted.mono", `密钥/序列号 ${n.serial}`) : null,
            typeof n.clock_offset_seconds === "number" ? h("div.muted", `时钟偏差 ${n.clock_offset_seconds} 秒`) : null,
            n.checked_text_sha256 ? h("div.muted.mono", `验签原文 SHA-256 ${n.checked_text_sha256}`) : null,
          ),
          h("td", h("details", h("summary", `${n.method ?? ""} ${n.path ?? ""}`), json({ headers: n.headers, body: n.body }))),
        ),
      ),
    ),
  );
}

function refundRows(refunds) {
  if (!refunds.length) return h("p.muted", "没有退款。");
  return h(
    "table",
    { id: "refunds" },
    h(
      "thead",
      h(
        "tr",
        ["退款单号", "金额", "状态", "原因", "回调", "申请时间"].map((t) => h("th", t)),
      ),
    ),
    h(
      "tbody",
      refunds.map((r) =>
        h(
          "tr",
          { dataset: { outRefundNo: r.out_refund_no ?? r._id } },
          h("td.mono", r.out_refund_no ?? r._id),
          h("td.num", yuan(r.refund_fee)),
          h("td", refundPill(r.status)),
          h("td", r.refund_desc || "—"),
          h("td", r.hook_done ? h("span.pill.ok", "完成") : r.hook_error ? h("span.pill.bad", { title: r.hook_error }, "失败") : h("span.muted", "—")),
          h("td.muted", dateTime(r.create_date)),
        ),
      ),
    ),
  );
}

async function act(route, data, done) {
  const reply = await call("admin", route, data);
  if (reply.code === 0) toast("已完成");
  else toast(failureText(reply), true);
  await done();
  return reply;
}

export async function renderOrderDetail(view, outTradeNo) {
  const reply = await call("admin", "admin/orders", { out_trade_no: outTradeNo });
  const back = h("p", h("a", { href: "#/orders" }, "← 全部订单"));
  if (reply.code !== 0) return mount(view, back, h("div.notice.bad", `无法读取订单 ${outTradeNo}：${failureText(reply)}`));
  const { order, refunds, notifications } = reply.data;
  const reload = () => renderOrderDetail(view, outTradeNo);
  const refundable = (order.status === "SUCCESS" || order.status === "REFUND") && (order.refund_fee ?? 0) < order.total_fee;
  const left = order.total_fee - (order.refund_fee ?? 0);
  const refundForm = h(
    "form.row",
    { id: "refund-form", onsubmit: (event) => event.preventDefault() },
    h("input", { id: "refund-amount", type: "number", min: "0.01", step: "0.01", value: (left / 100).toFixed(2), style: "width:130px" }),
    h("input", { id: "refund-desc", placeholder: "退款原因", value: "控制台退款", style: "width:200px" }),
    h(
      "button.btn.danger",
      {
        id: "refund",
        type: "button",
        disabled: !refundable,
        onclick: () =>
          act(
            "admin/refund",
            {
              out_trade_no: order.out_trade_no,
              refund_fee: Math.round(Number(document.getElementById("refund-amount").value) * 100),
              refund_desc: document.getElementById("refund-desc").value,
            },
            reload,
          ),
      },
      "退款",
    ),
  );
  const hookFailed = order.user_order_success === false;
  mount(
    view,
    back,
    h("div.row", h("h1", { id: "order-title" }, `订单 ${order.out_trade_no}`), pill(order.status)),
    h("p.sub", `${order.provider} · ${order.pay_type} · ${order.type}`),
    h(
      "div.grid",
      h(
        "div.card",
        h("h2", "订单"),
        kv([
          ["金额", yuan(order.total_fee)],
          ["已退款", yuan(order.refund_fee ?? 0)],
          ["用户", h("span.mono", order.user_id ?? "—")],
          ["标题", order.subject ?? "—"],
          ["服务商单号", h("span.mono", order.transaction_id || "—")],
          ["下单时间", dateTime(order.create_date)],
          ["支付时间", dateTime(order.pay_date)],
          ["业务参数", order.custom ? h("span.mono", JSON.stringify(order.custom)) : "—"],
        ]),
      ),
      h(
        "div.card",
        h("h2", "业务回调（hook）"),
        kv([
          ["状态", order.status === "NOTPAY" ? h("span.muted", "未支付，尚未运行") : hookPill(order)],
          ["尝试次数", String(order.hook_attempts ?? 0)],
          ["最近一次", dateTime(order.hook_date)],
          order.hook_error ? ["错误", h("span", { id: "hook-error" }, order.hook_error)] : null,
          hookFailed ? ["下次自动重试", dateTime(order.hook_next_retry)] : null,
        ]),
        h(
          "div.row",
          { style: "margin-top:14px" },
          h(
            "button.btn",
            { id: "hook-retry", disabled: !hookFailed, onclick: () => act("admin/hookRetry", { out_trade_no: order.out_trade_no }, reload) },
            "重新运行回调",
          ),
          h(
            "button.btn",
            {
              id: "close-order",
              disabled: order.status !== "NOTPAY" && order.status !== "USERPAYING",
              onclick: () => act("admin/closeOrder", { out_trade_no: order.out_trade_no }, reload),
            },
            "关闭订单",
          ),
        ),
      ),
    ),
    h("div.card", h("div.row", h("h2", "退款"), h("span.spacer"), refundForm), refundRows(refunds)),
    h("div.card", h("h2", "收到的通知"), notificationRows(notifications)),
  );
  // A refund in progress settles at the provider, which then notifies: the page follows it while it waits.
  if (refunds.some((r) => r.status === "PROCESSING")) {
    const hash = location.hash;
    setTimeout(() => {
      if (location.hash === hash && document.visibilityState !== "hidden") void renderOrderDetail(view, outTradeNo);
    }, 1500);
  }
}
