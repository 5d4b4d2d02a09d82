import { h, mount } from "./ui.js";

// The local space: which cloud functions the emulator serves, where to call them, and the sandboxes.
export async function renderSpace(view) {
  const space = await fetch("/console/api/space").then((r) => r.json());
  mount(
    view,
    h("h1", "本地空间"),
    h("p.sub", `空间 ${space.spaceId}，数据目录 ${space.dataDir}`),
    h(
      "div.card",
      h("h2", "云函数"),
      h(
        "table",
        { id: "functions" },
        h(
          "thead",
          h(
            "tr",
            ["云函数", "URL化路径", "客户端调用", "定时触发"].map((t) => h("th", t)),
          ),
        ),
        h(
          "tbody",
          space.functions.map((fn) =>
            h("tr", h("td", fn.name), h("td.mono", fn.path || "—"), h("td.mono", `POST /__callFunction/${fn.name}`), h("td.mono", fn.timer || "—")),
          ),
        ),
      ),
    ),
    h(
      "div.card",
      h("h2", "支付沙箱"),
      h(
        "ul",
        space.sandboxes.map((name) => h("li", h("a", { href: `/__sandbox/${name}/` }, `/__sandbox/${name}/`))),
      ),
    ),
  );
}
