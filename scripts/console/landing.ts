import type { IncomingMessage, ServerResponse } from "node:http";
import type { Emulator } from "../uni-cloud-mock/src";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The emulator's front page: what is deployed in the local space and where to call it. The checkout,
 * order and notification pages of the web console are served beside it as they are built.
 */
export function landingPage(emulator: Emulator) {
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (url.pathname !== "/" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const rows = emulator
      .functions()
      .map((fn) => {
        const path = fn.config.path ? `<code>${escapeHtml(fn.config.path)}</code>` : "—";
        const timer = fn.config.triggers?.[0]?.config ? `<code>${escapeHtml(fn.config.triggers[0].config)}</code>` : "—";
        return `<tr><td>${escapeHtml(fn.name)}</td><td>${path}</td><td><code>/__callFunction/${escapeHtml(fn.name)}</code></td><td>${timer}</td></tr>`;
      })
      .join("");
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>vk-pay 本地模拟器</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}code{background:#f4f4f4;padding:0 .25rem}</style>
</head><body><h1>vk-pay 本地模拟器</h1><p>空间 <code>${escapeHtml(emulator.space.spaceId)}</code>，数据目录 <code>${escapeHtml(emulator.dataDir)}</code></p>
<table><thead><tr><th>云函数</th><th>URL化路径</th><th>客户端调用</th><th>定时触发</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
    res.end(req.method === "HEAD" ? undefined : html);
    return true;
  };
}
