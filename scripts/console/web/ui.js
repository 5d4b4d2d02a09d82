// Small DOM helpers shared by the views: elements from tags, money and dates as a Chinese merchant reads them.

/** `h("td.num", { title }, child, …)`: a tag with optional classes, attributes (on* become listeners) and children. */
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) children.unshift(attrs);
  else if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const yuan = (fen) => (typeof fen === "number" ? `¥${(fen / 100).toFixed(2)}` : "—");

export function dateTime(ms) {
  if (typeof ms !== "number" || !ms) return "—";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const STATUS = {
  NOTPAY: ["待支付", "warn"],
  USERPAYING: ["支付中", "info"],
  SUCCESS: ["已支付", "ok"],
  REFUND: ["已退款", "info"],
  CLOSED: ["已关闭", ""],
  PAYERROR: ["支付失败", "bad"],
  applied: ["已处理", "ok"],
  duplicate: ["重复", ""],
  ignored: ["已忽略", ""],
  refused: ["已拒绝", "bad"],
  error: ["出错", "bad"],
};

export function pill(value) {
  const [label, tone] = STATUS[value] ?? [String(value ?? "—"), ""];
  return h(`span.pill${tone ? `.${tone}` : ""}`, { title: String(value ?? "") }, label);
}

const REFUND_STATUS = { PROCESSING: ["退款中", "info"], SUCCESS: ["退款成功", "ok"], ABNORMAL: ["退款异常", "bad"], CLOSED: ["退款关闭", ""] };

export function refundPill(value) {
  const [label, tone] = REFUND_STATUS[value] ?? [String(value ?? "—"), ""];
  return h(`span.pill${tone ? `.${tone}` : ""}`, { title: String(value ?? "") }, label);
}

export function hookPill(order) {
  if (order.user_order_success === true) return h("span.pill.ok", "回调完成");
  if (order.user_order_success === false) return h("span.pill.bad", { title: order.hook_error || "" }, "回调失败");
  return h("span.pill", "—");
}

export function toast(message, bad = false) {
  const el = h(bad ? "div.bad" : "div", message);
  document.getElementById("toast").append(el);
  setTimeout(() => el.remove(), 5000);
}

/** A failure envelope (`{ code, msg, errCode }`) as one line. */
export const failureText = (reply) => `${reply.msg || "请求失败"}（code ${reply.code}${reply.errCode ? `，${reply.errCode}` : ""}）`;

export function kv(pairs) {
  return h(
    "dl.kv",
    pairs.filter(Boolean).flatMap(([key, value]) => [h("dt", key), h("dd", value ?? "—")]),
  );
}

export function json(value) {
  return h("pre", JSON.stringify(value, null, 2));
}

export const mount = (view, ...children) => {
  view.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return view;
};
