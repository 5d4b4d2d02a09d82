import { h, mount } from "./ui.js";

// The doctor's report (scripts/doctor/check-config.ts, also `npm run doctor`): one row per provider and
// mode. The rows are drawn field by field as the doctor gives them, so the page never drifts from it.

const FIRST = ["provider", "mode", "pay_type", "ok", "status"];

const TONE = { ok: "ok", missing: "bad", mismatch: "bad", unused: "" };

/**
 * The doctor's items (`{ key, status, detail }`, what a provider's describeConfig said) as a small table,
 * folded when all is well so the page stays one screen per few providers, open where something needs fixing.
 */
function items(list) {
  const bad = list.filter((item) => item.status !== "ok").length;
  return h("details", { open: bad > 0 }, h("summary", bad ? `${bad} 项需要处理（共 ${list.length} 项）` : `${list.length} 项，全部正常`), itemTable(list));
}

function itemTable(list) {
  return h(
    "table.items",
    list.map((item) =>
      h(
        "tr",
        { dataset: { status: item.status } },
        h("td", h(`span.pill${TONE[item.status] ? `.${TONE[item.status]}` : ""}`, item.status)),
        h("td.mono", item.key),
        h("td", item.detail),
      ),
    ),
  );
}

const isItem = (item) => item && typeof item === "object" && "key" in item && "status" in item;

function value(v) {
  if (typeof v === "string" && TONE[v] !== undefined) return h(`span.pill${TONE[v] ? `.${TONE[v]}` : ""}`, v);
  if (Array.isArray(v) && v.length && v.every(isItem)) return items(v);
  if (v === true) return h("span.pill.ok", "是");
  if (v === false) return h("span.pill.bad", "否");
  if (Array.isArray(v))
    return v.length
      ? h(
          "ul",
          { style: "margin:0;padding-left:18px" },
          v.map((item) => h("li", typeof item === "object" ? JSON.stringify(item) : String(item))),
        )
      : h("span.muted", "无");
  if (v && typeof v === "object") return h("pre", JSON.stringify(v, null, 2));
  return v === undefined || v === null || v === "" ? h("span.muted", "—") : h("span", String(v));
}

export async function renderConfigCheck(view) {
  mount(view, h("h1", "配置检查"), h("p.sub", "按云函数加载 uni-pay 配置的方式读取，并逐个服务商、逐个支付方式检查。"), h("p.muted", "检查中…"));
  const report = await fetch("/console/api/config-check").then((r) => r.json());
  if (!report.available) return mount(view, h("h1", "配置检查"), h("div.notice", `配置检查暂不可用：${report.reason}`));
  const rows = report.rows;
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].sort((a, b) => (FIRST.indexOf(a) + 1 || 99) - (FIRST.indexOf(b) + 1 || 99));
  mount(
    view,
    h("h1", "配置检查"),
    h("p.sub", "按云函数加载 uni-pay 配置的方式读取，并逐个服务商、逐个支付方式检查。密钥只显示是否配置，从不显示内容。"),
    h(
      "div.card",
      rows.length
        ? h(
            "table",
            { id: "config-check" },
            h(
              "thead",
              h(
                "tr",
                keys.map((k) => h("th", k)),
              ),
            ),
            h(
              "tbody",
              rows.map((row) =>
                h(
                  "tr",
                  keys.map((k) => h("td", value(row[k]))),
                ),
              ),
            ),
          )
        : h("p.empty", "没有任何服务商配置。"),
    ),
  );
}
