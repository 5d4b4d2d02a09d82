import { call } from "./cloud.js";
import { dateTime, failureText, h, mount, toast, yuan } from "./ui.js";

// Transfers to users through vk-pay's admin routes: admin/transfers (the ledger, list form), admin/transfer
// (create) and admin/cancelTransfer. Only providers that can transfer are offered, as the registry says.

const PAGE_SIZE = 20;
/** Until one of these, a transfer can still be cancelled (WeChat's 商家转账 states; Alipay's map onto them). */
const CANCELLABLE = ["ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING"];
const STATE = {
  ACCEPTED: ["已受理", "info"],
  PROCESSING: ["处理中", "info"],
  WAIT_USER_CONFIRM: ["待用户确认", "warn"],
  TRANSFERING: ["转账中", "info"],
  SUCCESS: ["已到账", "ok"],
  FAIL: ["失败", "bad"],
  CANCELING: ["撤销中", "warn"],
  CANCELLED: ["已撤销", ""],
};

function statePill(value) {
  const [label, tone] = STATE[value] ?? [String(value ?? "—"), ""];
  return h(`span.pill${tone ? `.${tone}` : ""}`, { title: String(value ?? "") }, label);
}

/** A bill number both WeChat (out_bill_no) and Alipay (out_biz_no) accept: letters and digits, 32 at most. */
const newBillNo = () => `C${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 32);

function createForm(providers, done) {
  const select = h(
    "select",
    { id: "transfer-provider", name: "provider" },
    providers.map((p) => h("option", { value: p.name }, `${p.label}（${p.name}）`)),
  );
  const field = (label, attrs) => h("label", h("span", label), h("input", attrs));
  const form = h(
    "form.filters",
    { id: "transfer-form" },
    h("label", h("span", "服务商"), select),
    field("收款人（openid 或支付宝账号）", { id: "transfer-payee", name: "payee", required: true, placeholder: "o… / 2088… / 手机号" }),
    field("金额（元）", { id: "transfer-amount", name: "amount", type: "number", min: "0.1", step: "0.01", value: "1.00", style: "width:110px" }),
    field("说明", { id: "transfer-remark", name: "remark", value: "控制台转账" }),
    field("收款人姓名（可选）", { id: "transfer-name", name: "name" }),
    field("收款人用户ID（可选）", { id: "transfer-user", name: "user" }),
    h("label", h("span", "强制"), h("input", { id: "transfer-force", name: "force", type: "checkbox" })),
    h("button.btn.primary", { id: "transfer-create", type: "submit" }, "发起转账"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const fen = Math.round(Number(values.amount) * 100);
    const data = {
      provider: values.provider,
      out_bill_no: newBillNo(),
      transfer_amount: fen,
      // WeChat pays an openid; every other provider takes an account (Alipay infers its identity_type).
      ...(values.provider === "wxpay" ? { openid: values.payee } : { payee_account: values.payee }),
      transfer_remark: values.remark,
      ...(values.name ? { user_name: values.name } : {}),
      ...(values.user ? { payee_user_id: values.user } : {}),
      force: values.force === "on",
    };
    const reply = await call("admin", "admin/transfer", data);
    if (reply.code === 0) toast(`已发起转账 ${data.out_bill_no}`);
    else toast(failureText(reply), true);
    await done();
  });
  return form;
}

function rows(transfers, reload) {
  if (!transfers.length) return h("tr", h("td.empty", { colspan: 8 }, "还没有转账。"));
  return transfers.map((t) =>
    h(
      "tr",
      { dataset: { outBillNo: t.out_bill_no, status: t.status } },
      h("td.muted", dateTime(t.create_date)),
      h("td.mono", t.out_bill_no),
      h("td", t.provider),
      h("td.num", yuan(t.transfer_amount)),
      h("td.mono", t.payee_account ?? "—"),
      h("td", statePill(t.status), t.fail_reason ? h("div.muted", t.fail_reason) : null),
      h("td.muted", t.operator ?? "—"),
      h(
        "td",
        h(
          "button.btn.danger",
          {
            disabled: !CANCELLABLE.includes(t.status),
            dataset: { action: "cancel" },
            onclick: async () => {
              const reply = await call("admin", "admin/cancelTransfer", { out_bill_no: t.out_bill_no });
              if (reply.code === 0) toast(`已撤销 ${t.out_bill_no}`);
              else toast(failureText(reply), true);
              await reload();
            },
          },
          "撤销",
        ),
      ),
    ),
  );
}

export async function renderTransfers(view, params) {
  const pageIndex = Math.max(1, Number(params.get("page")) || 1);
  const where = params.get("status") ? { status: params.get("status") } : {};
  const header = [h("h1", "转账"), h("p.sub", "商家转账到用户（微信商家转账、支付宝转账）：发起、查看、撤销。需要管理员令牌。")];
  const [reply, known] = await Promise.all([
    call("admin", "admin/transfers", { data: { where, orderBy: "create_date desc", pageIndex, pageSize: PAGE_SIZE } }),
    fetch("/console/api/providers").then((r) => r.json()),
  ]);
  if (reply.code !== 0) return mount(view, ...header, h("div.notice.bad", `无法读取转账：${failureText(reply)}。此页需要管理员令牌。`));
  const providers = known.providers.filter((p) => p.transfers);
  const reload = () => renderTransfers(view, params);
  const goto = (page) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    location.hash = `#/transfers?${next}`;
  };
  mount(
    view,
    ...header,
    h("div.card", h("h2", "发起转账"), providers.length ? createForm(providers, reload) : h("p.muted", "没有支持转账的服务商。")),
    h(
      "div.card",
      h(
        "table",
        { id: "transfers" },
        h(
          "thead",
          h(
            "tr",
            ["时间", "转账单号", "服务商", "金额", "收款人", "状态", "操作人", ""].map((t) => h("th", t)),
          ),
        ),
        h("tbody", rows(reply.data.rows, reload)),
      ),
      h(
        "div.row",
        { style: "margin-top:12px" },
        h("span.muted", `共 ${reply.data.total} 笔`),
        h("span.spacer"),
        h("button.btn", { disabled: pageIndex <= 1, onclick: () => goto(pageIndex - 1) }, "上一页"),
        h("button.btn", { disabled: !reply.data.hasMore, onclick: () => goto(pageIndex + 1) }, "下一页"),
      ),
    ),
  );
}
