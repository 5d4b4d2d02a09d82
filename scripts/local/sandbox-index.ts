import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The page a sandbox's own folder (`/__sandbox/<provider>/`) answers, so the link `npm start` prints
 * opens something: how to reach the cashier and the control API. Every other path passes to the sandbox.
 */
export interface SandboxDescription {
  provider: string;
  title: string;
  /** The sandbox's API entry, e.g. `/v3/pay/transactions/native` or `/gateway.do`. */
  api: string;
  actions: string[];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sandboxIndex(sandbox: SandboxDescription) {
  const base = `/__sandbox/${sandbox.provider}`;
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (req.method !== "GET" || (url.pathname !== base && url.pathname !== `${base}/`)) return false;
    const actions = sandbox.actions.map((action) => `<li><code>POST ${escapeHtml(`${base}/${action}`)}</code></li>`).join("");
    const body = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(sandbox.title)}</title>
<h1>${escapeHtml(sandbox.title)}</h1>
<p>The library reaches this sandbox at <code>${escapeHtml(base + sandbox.api)}</code> (the generated config's <code>baseUrl</code>).</p>
<p>Cashier: <code>${escapeHtml(base)}/cashier?out_trade_no=&lt;out_trade_no&gt;</code>, the address in a created payment's <code>codeUrl</code>.</p>
<p>Control API (JSON in and out):</p><ul>${actions}</ul>
<p><a href="/">Back to the console</a></p>`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(body);
    return true;
  };
}
