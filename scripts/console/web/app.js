import { renderCheckout } from "./checkout.js";
import { renderConfigCheck } from "./config-check.js";
import { renderNotifications } from "./notifications.js";
import { renderOrderDetail, renderOrders } from "./orders.js";
import { describeToken, setToken, takeLoginFragment, token } from "./session.js";
import { renderSpace } from "./space.js";
import { renderTransfers } from "./transfers.js";
import { h } from "./ui.js";

// The console's frame: who is logged in, and which view the address's fragment names.
const view = document.getElementById("view");
const dialog = document.getElementById("login");

function who() {
  const user = describeToken(token("user"));
  const admin = describeToken(token("admin"));
  const label = (info, role) => (info ? h("span.pill.info", { title: role }, `${role === "admin" ? "管理员" : "用户"} ${info.uid}`) : null);
  document
    .getElementById("who")
    .replaceChildren(
      label(user, "user") ?? h("span", "未登录"),
      label(admin, "admin"),
      h("button.btn", { id: "login-open", onclick: openLogin }, user || admin ? "切换令牌" : "登录"),
    );
}

function openLogin() {
  document.getElementById("login-user").value = token("user");
  document.getElementById("login-admin").value = token("admin");
  dialog.showModal();
}

dialog.addEventListener("close", () => {
  if (dialog.returnValue !== "save") return;
  setToken("user", document.getElementById("login-user").value);
  setToken("admin", document.getElementById("login-admin").value);
  who();
  route();
});

const VIEWS = [
  [/^#\/orders\/(.+)$/, "orders", (m) => renderOrderDetail(view, decodeURIComponent(m[1]))],
  [/^#\/orders(?:\?(.*))?$/, "orders", (m) => renderOrders(view, new URLSearchParams(m[1] ?? ""))],
  [/^#\/notifications(?:\?(.*))?$/, "notifications", (m) => renderNotifications(view, new URLSearchParams(m[1] ?? ""))],
  [/^#\/transfers(?:\?(.*))?$/, "transfers", (m) => renderTransfers(view, new URLSearchParams(m[1] ?? ""))],
  [/^#\/config$/, "config", () => renderConfigCheck(view)],
  [/^#\/space$/, "space", () => renderSpace(view)],
  [/^#\/checkout$|^#?\/?$/, "checkout", () => renderCheckout(view)],
];

let current = 0;
function route() {
  const hash = location.hash || "#/checkout";
  const found = VIEWS.find(([pattern]) => pattern.test(hash)) ?? VIEWS[VIEWS.length - 1];
  const [pattern, name, render] = found;
  for (const link of document.querySelectorAll("#nav a")) link.classList.toggle("active", link.dataset.view === name);
  const run = ++current;
  view.dataset.view = name;
  Promise.resolve(render(pattern.exec(hash) ?? [])).catch((error) => {
    if (run === current) view.replaceChildren(h("div.notice.bad", `页面出错：${error.message}`));
  });
}

takeLoginFragment();
who();
window.addEventListener("hashchange", route);
route();
if (!token("user") && !token("admin")) openLogin();
