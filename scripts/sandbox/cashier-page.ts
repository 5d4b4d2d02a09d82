/**
 * The shell every sandbox cashier page shares: a card with the amount and the order's rows, and buttons
 * that call the sandbox's own control API (pay, fail, cancel) and reload to show the new state. Each
 * platform brings its colours, its wording and its rows.
 */

export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface CashierTheme {
  background: string;
  text: string;
  muted: string;
  /** Pay button (and Alipay's heading). */
  accent: string;
  danger: string;
  neutral: string;
}

export function cashierPage(title: string, theme: CashierTheme, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:${theme.background};margin:0;padding:24px;color:${theme.text}}
.card{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h2{color:${theme.accent}}.amount{font-size:36px;font-weight:600;text-align:center;margin:16px 0}
.row{display:flex;justify-content:space-between;padding:6px 0;color:${theme.muted}}
button{display:block;width:100%;margin-top:12px;padding:12px;font-size:17px;border:0;border-radius:6px;cursor:pointer}
.pay{background:${theme.accent};color:#fff}.fail{background:${theme.danger};color:#fff}.cancel{background:${theme.neutral};color:${theme.text}}
.note{margin-top:16px;font-size:13px;color:${theme.muted};text-align:center}#result{margin-top:16px;text-align:center;font-weight:600}
</style></head><body><div class="card">${body}</div></body></html>`;
}

/**
 * The buttons' script: POSTs `target` (what identifies the order to the control API) to `pay`, `fail` or
 * `cancel` beside the page, then shows `labels[action]` and reloads.
 */
export function cashierActionsScript(target: Record<string, string>, labels: Record<"pay" | "fail" | "cancel", string>): string {
  // `<` escaped so no value can close the script element.
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");
  return `<script>
const target = ${json(target)};
const labels = ${json(labels)};
for (const button of document.querySelectorAll("button[data-action]")) {
  button.addEventListener("click", async () => {
    const action = button.dataset.action;
    document.querySelectorAll("button").forEach((b) => (b.disabled = true));
    const result = document.getElementById("result");
    try {
      const reply = await fetch(action, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(target) });
      const data = await reply.json();
      result.textContent = data.ok ? labels[action] : "操作失败：" + data.error;
      if (data.ok) setTimeout(() => location.reload(), 1200);
      else document.querySelectorAll("button").forEach((b) => (b.disabled = false));
    } catch (error) {
      result.textContent = "网络错误：" + error.message;
      document.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
  });
}
</script>`;
}
