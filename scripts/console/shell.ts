/**
 * The console's one HTML page: the frame (header, navigation, login dialog) and the styles; each view is
 * drawn by web/app.js from the route in the address's fragment (`#/orders`, `#/orders/<out_trade_no>`…).
 */
const STYLES = `
:root{--bg:#f5f6f8;--card:#fff;--text:#1f2329;--muted:#646a73;--line:#e4e6eb;--accent:#1664ff;--accent-soft:#e8f0ff;
--ok:#14a34a;--ok-soft:#e6f6ec;--warn:#c27a00;--warn-soft:#fff4e0;--bad:#d93026;--bad-soft:#fdecea;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.55 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif}
header{background:#fff;border-bottom:1px solid var(--line);position:sticky;top:0;z-index:5}
.bar{max-width:1180px;margin:0 auto;padding:0 24px;display:flex;align-items:center;gap:28px;height:56px}
.brand{font-weight:650;font-size:16px;display:flex;align-items:center;gap:8px;white-space:nowrap}
.brand .dot{width:10px;height:10px;border-radius:3px;background:var(--accent)}
nav{display:flex;gap:4px;flex:1}
nav a{color:var(--muted);text-decoration:none;padding:6px 12px;border-radius:6px;font-weight:500}
nav a:hover{background:var(--bg);color:var(--text)}
nav a.active{background:var(--accent-soft);color:var(--accent)}
.who{display:flex;gap:8px;align-items:center;color:var(--muted);font-size:13px;white-space:nowrap}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:0 0 12px}
.sub{color:var(--muted);margin:0 0 20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px;margin-bottom:16px}
.grid{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:16px;align-items:start}
@media (max-width:860px){.grid{grid-template-columns:1fr}}
label.field{display:block;margin-bottom:14px}label.field>span{display:block;color:var(--muted);font-size:12px;margin-bottom:6px}
input,select,textarea{font:inherit;color:inherit;border:1px solid var(--line);border-radius:6px;padding:7px 10px;background:#fff;width:100%}
input:focus,select:focus,textarea:focus{outline:2px solid var(--accent-soft);border-color:var(--accent)}
textarea{font-family:var(--mono);font-size:12px;min-height:64px}
.seg{display:flex;flex-wrap:wrap;gap:8px}
.seg button{background:#fff;border:1px solid var(--line);color:var(--text);padding:8px 14px;border-radius:8px;font-weight:500}
.seg button.on{border-color:var(--accent);background:var(--accent-soft);color:var(--accent)}
.seg button small{display:block;color:var(--muted);font-weight:400;font-size:11px}
button{font:inherit;cursor:pointer;border-radius:6px}
.btn{border:1px solid var(--line);background:#fff;color:var(--text);padding:7px 14px;font-weight:500}
.btn:hover{border-color:#c9cdd4}.btn:disabled{opacity:.5;cursor:not-allowed}
.btn.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.btn.danger{color:var(--bad);border-color:#f3c1bd}
.btn.big{padding:10px 22px;font-size:15px}
.row{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.spacer{flex:1}
table{width:100%;border-collapse:collapse}
th{text-align:left;color:var(--muted);font-weight:500;font-size:12px;padding:8px 10px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:9px 10px;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:hover{background:#fafbfc}
tr.link{cursor:pointer}
.mono{font-family:var(--mono);font-size:12px}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.muted{color:var(--muted)}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:500;background:var(--bg);color:var(--muted);white-space:nowrap}
.pill.ok{background:var(--ok-soft);color:var(--ok)}.pill.warn{background:var(--warn-soft);color:var(--warn)}.pill.bad{background:var(--bad-soft);color:var(--bad)}.pill.info{background:var(--accent-soft);color:var(--accent)}
.kv{display:grid;grid-template-columns:130px 1fr;gap:6px 14px}.kv dt{color:var(--muted)}.kv dd{margin:0;word-break:break-all}
.qr{display:flex;gap:20px;align-items:center}
.qr img{width:184px;height:184px;border:1px solid var(--line);border-radius:8px;padding:6px;background:#fff}
.status-line{display:flex;align-items:center;gap:10px;font-size:16px;font-weight:600;margin-bottom:12px}
.spin{width:14px;height:14px;border:2px solid var(--accent-soft);border-top-color:var(--accent);border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
.effect{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.effect div{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.effect b{display:block;font-size:18px;font-variant-numeric:tabular-nums}.effect span{color:var(--muted);font-size:12px}
.effect .changed{border-color:var(--ok);background:var(--ok-soft)}
.empty{color:var(--muted);text-align:center;padding:28px}
.notice{border-radius:8px;padding:10px 14px;background:var(--warn-soft);color:#7a4d00;margin-bottom:16px}
.notice.bad{background:var(--bad-soft);color:var(--bad)}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin-bottom:14px}
.filters label span{display:block;color:var(--muted);font-size:12px;margin-bottom:4px}
pre{background:#f7f8fa;border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;max-height:280px;font:12px/1.5 var(--mono);margin:6px 0 0;white-space:pre-wrap;word-break:break-all}
details summary{cursor:pointer;color:var(--accent)}
dialog{border:0;border-radius:12px;padding:24px;width:min(560px,92vw);box-shadow:0 12px 40px rgba(0,0,0,.18)}
dialog::backdrop{background:rgba(20,24,32,.35)}
#toast{position:fixed;right:24px;bottom:24px;display:flex;flex-direction:column;gap:8px;z-index:20}
#toast div{background:#1f2329;color:#fff;padding:10px 14px;border-radius:8px;max-width:420px;box-shadow:0 6px 20px rgba(0,0,0,.2)}
#toast div.bad{background:var(--bad)}
a{color:var(--accent)}
`;

export function consoleShell(): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>vk-pay 控制台</title><style>${STYLES}</style></head>
<body>
<header><div class="bar">
<div class="brand"><span class="dot"></span>vk-pay 控制台</div>
<nav id="nav">
<a href="#/checkout" data-view="checkout">收银台</a>
<a href="#/orders" data-view="orders">订单</a>
<a href="#/notifications" data-view="notifications">通知日志</a>
<a href="#/transfers" data-view="transfers">转账</a>
<a href="#/config" data-view="config">配置检查</a>
<a href="#/space" data-view="space">本地空间</a>
</nav>
<div class="who" id="who"></div>
</div></header>
<main id="view"></main>
<dialog id="login"><form method="dialog" id="login-form">
<h2>登录控制台</h2>
<p class="muted">粘贴 <code>npm start</code> 打印的两个令牌（或 <code>npm run -s token -- &lt;uid&gt; [admin]</code> 生成的令牌）。令牌只保存在本浏览器中。</p>
<label class="field"><span>用户令牌（收银台以此用户下单）</span><textarea name="user" id="login-user" required></textarea></label>
<label class="field"><span>管理员令牌（订单、退款、通知日志）</span><textarea name="admin" id="login-admin"></textarea></label>
<div class="row"><span class="spacer"></span><button class="btn" value="cancel" formnovalidate>取消</button><button class="btn primary" id="login-save" value="save">保存</button></div>
</form></dialog>
<div id="toast"></div>
<script type="module" src="/console/web/app.js"></script>
</body></html>`;
}
