import { call } from "./cloud.js";
import { dateTime, failureText, h, json, kv, mount, pill } from "./ui.js";

// The notification log (admin/notifications): every inbound notification, accepted or refused, with the
// check that decided it, so a misconfigured key, serial or clock shows here rather than in the code.

const PAGE_SIZE = 30;
const OUTCOMES = ["applied", "duplicate", "ignored", "refused", "error"];

/**
 * The failed check: the log entry's own `check` (the pipeline stores it with a refused verification), else
 * read from the `<errCode>: <detail>` reason that older entries carry; other reasons are plain text.
 */
function splitReason(n) {
  const reason = n.reason ?? "";
  const match = /^(vk-pay-[a-z0-9-]+|[a-z0-9]+(?:-[a-z0-9]+)+): (.*)$/s.exec(reason);
  if (n.check) return { check: n.check, detail: match && match[1] === n.check ? match[2] : reason };
  return match ? { check: match[1], detail: match[2] } : { check: "", detail: reason };
}

/** Seconds between the message's own signed time and its arrival, when the provider's log entry has one. */
function clockOffset(n) {
  return typeof n.clock_offset_seconds === "number" ? `${n.clock_offset_seconds > 0 ? "+" : ""}${n.clock_offset_seconds} 秒` : null;
}

function detailRow(n) {
  const { check, detail } = splitReason(n);
  return h(
    "div",
    kv([
      ["结果", pill(n.outcome)],
      check ? ["未通过的检查", h("span.mono", check)] : null,
      detail ? ["原因", detail] : null,
      n.serial ? ["密钥 / 证书序列号", h("span.mono", n.serial)] : null,
      clockOffset(n) ? ["时钟偏差", clockOffset(n)] : null,
      n.algorithm ? ["签名算法", h("span.mono", n.algorithm)] : null,
      // Compare with the SHA-256 of the string your own signer builds: a mismatch is a field or encoding difference.
      n.checked_text_sha256 ? ["验签原文 SHA-256", h("span.mono", n.checked_text_sha256)] : null,
      n.hook ? ["业务回调", n.hook] : null,
      ["路径", h("span.mono", `${n.method ?? ""} ${n.path ?? ""}`)],
    ]),
    json({ headers: n.headers, body: n.body_base64 ? `(base64) ${n.body}` : n.body }),
  );
}

export async function renderNotifications(view, params) {
  const where = {};
  for (const key of ["provider", "outcome", "out_trade_no"]) if (params.get(key)) where[key] = params.get(key);
  const pageIndex = Math.max(1, Number(params.get("page")) || 1);
  const reply = await call("admin", "admin/notifications", { where, orderBy: "create_date desc", pageIndex, pageSize: PAGE_SIZE });
  const header = [h("h1", "通知日志"), h("p.sub", "每一条收到的支付、退款和转账通知，以及验签结果。")];
  if (reply.code !== 0) return mount(view, ...header, h("div.notice.bad", `无法读取通知日志：${failureText(reply)}。此页需要管理员令牌。`));
  const filters = h(
    "form.filters",
    { id: "notification-filters" },
    h("label", h("span", "服务商"), h("input", { name: "provider", value: params.get("provider") ?? "", placeholder: "全部" })),
    h(
      "label",
      h("span", "结果"),
      h(
        "select",
        { name: "outcome" },
        h("option", { value: "" }, "全部"),
        OUTCOMES.map((o) => h("option", { value: o, selected: params.get("outcome") === o }, o)),
      ),
    ),
    h("label", h("span", "商户订单号"), h("input", { name: "out_trade_no", value: params.get("out_trade_no") ?? "" })),
  );
  filters.addEventListener("change", () => {
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(filters)) if (value) next.set(key, String(value));
    location.hash = `#/notifications${next.size ? `?${next}` : ""}`;
  });
  filters.addEventListener("submit", (event) => event.preventDefault());
  const { rows, total, hasMore } = reply.data;
  const goto = (page) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    location.hash = `#/notifications?${next}`;
  };
  const body = rows.flatMap((n) => {
    const { check, detail } = splitReason(n);
    const detailCell = h("tr", { hidden: true }, h("td", { colspan: 7 }, detailRow(n)));
    const row = h(
      "tr.link",
      { dataset: { outcome: n.outcome }, onclick: () => (detailCell.hidden = !detailCell.hidden) },
      h("td.muted", dateTime(n.create_date)),
      h("td", n.provider),
      h("td.mono", n.pay_type),
      h("td", n.kind ?? "—"),
      h("td", pill(n.outcome)),
      h(
        "td.mono",
        n.out_trade_no ? h("a", { href: `#/orders/${encodeURIComponent(n.out_trade_no)}`, onclick: (e) => e.stopPropagation() }, n.out_trade_no) : "—",
      ),
      h("td", check ? h("span.mono", check) : null, detail ? h("div", detail) : n.hook ? `hook ${n.hook}` : "—"),
    );
    return [row, detailCell];
  });
  mount(
    view,
    ...header,
    filters,
    h(
      "div.card",
      h(
        "table",
        { id: "notifications" },
        h(
          "thead",
          h(
            "tr",
            ["时间", "服务商", "pay_type", "种类", "结果", "订单", "检查 / 原因"].map((t) => h("th", t)),
          ),
        ),
        h("tbody", body.length ? body : h("tr", h("td.empty", { colspan: 7 }, "还没有收到通知。"))),
      ),
      h(
        "div.row",
        { style: "margin-top:12px" },
        h("span.muted", `共 ${total} 条，点击一行查看原文`),
        h("span.spacer"),
        h("button.btn", { disabled: pageIndex <= 1, onclick: () => goto(pageIndex - 1) }, "上一页"),
        h("button.btn", { disabled: !hasMore, onclick: () => goto(pageIndex + 1) }, "下一页"),
      ),
    ),
  );
}
