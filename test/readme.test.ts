import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../scripts/build/paths";
import { startPayingSpace } from "./helpers/paying-space";
import { mintToken, TEST_SECRET } from "./helpers/tokens";

/** Issue 14 item 9: the README answers what a new user asks next, and its Node example really pays. */
const README = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\r\n/g, "\n");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every reply code the library and the router can return, read from where they are defined. */
function definedCodes(): Set<number> {
  const patterns = [
    /new (?:ValidationError|StateError)\((-?\d+)/g, // numbered failures
    /super\("\w+", (-?\d+)/g, // a class's fixed code (signature 4001, provider 3001, network 3002)
    /code = (\d+)[,)]/g, // a class's default code (configuration 100)
    /ConfigError\("[^"]+", (?:"[^"]*"|`[^`]*`), (\d+)\)/g, // a configuration failure with its own number
    /failure\((-?\d+)/g, // the router's refusals
    /const TOKEN_[A-Z_]+ = (\d+)/g, // the router's token codes
  ];
  const codes = new Set<number>([0]);
  for (const file of [...sourceFiles(join(ROOT, "common/vk-uni-pay/src")), ...sourceFiles(join(ROOT, "router"))]) {
    const text = readFileSync(file, "utf8");
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(Number(match[1]));
  }
  return codes;
}

function documentedCodes(): Set<number> {
  const section = README.slice(README.indexOf("<!-- error-codes"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| code |")));
  return new Set([...table.matchAll(/^\| (-?\d+)(?: \/ (-?\d+))? \|/gm)].flatMap((m) => [m[1], m[2]].filter(Boolean).map(Number)));
}

describe("the README", () => {
  it("has an error table with every code the library and the router return, and what to do", () => {
    const defined = definedCodes();
    // The ones a new user meets first, and the applyAbnormalRefund codes added last, must have been found.
    for (const code of [-1, 100, 403, 404, 500, 1003, 2010, 2011, 2012, 30202, 30203]) expect(defined).toContain(code);
    const documented = documentedCodes();
    expect([...defined].filter((code) => !documented.has(code)).sort((a, b) => a - b)).toEqual([]);
    expect(README).toMatch(/\| code \| meaning \| what to do \|/);
  });

  it("says amounts are in fen, tokens last 2 hours and how to get a new one", () => {
    expect(README).toMatch(/Amounts and balances are always integers in \*\*fen\*\*/);
    expect(README).toMatch(/last \*\*2 hours\*\*/);
    expect(README).toContain("npm run -s token -- demo-user");
    expect(README).toContain("newToken");
  });

  it('explains needQRcode: "image" and refund-result\'s status', () => {
    expect(README).toContain('needQRcode: "image"');
    expect(README).toContain("qrcodeImage");
    const row = README.split("\n").find((line) => line.startsWith("| `refund-result`"));
    expect(row).toBeDefined();
    for (const status of ['"SUCCESS"', '"ABNORMAL"', '"CLOSED"']) expect(row).toContain(status);
  });

  it("has Windows-friendly examples (Node and PowerShell), not only curl", () => {
    expect(README).toMatch(/```powershell\n[\s\S]*Invoke-RestMethod/);
    expect(README).toMatch(/```js\n\/\/ pay\.mjs/);
  });

  it("links to nothing outside the repository", () => {
    for (const word of ["SPEC", "reference/", "shared/", "seed/", "payment-vectors"]) expect(README).not.toContain(word);
    for (const [, target] of README.matchAll(/\]\(([^)]+)\)/g)) {
      expect(target).not.toMatch(/^[a-z]+:/i);
      expect(existsSync(join(ROOT, target!.split("#")[0]!))).toBe(true);
    }
    // Bare addresses: this machine, an example LAN origin, or a placeholder with "...".
    for (const [url] of README.matchAll(/https?:\/\/[^\s)`"'<]+/g)) {
      expect({ url, local: /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\]|192\.168\.|fc-mp-xxxxxxxx|\.\.\.|h5\.example\.com)/.test(url) }).toEqual({
        url,
        local: true,
      });
    }
  });
});

describe("the README's Node example", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let dir: string;
  beforeAll(async () => {
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add({ _id: "readme-user", role: [], status: 0, balance: 0, vip_expire_date: 0 });
    dir = mkdtempSync(join(tmpdir(), "vk-pay-readme-"));
  });
  afterAll(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs as printed (only the address changed) and pays a recharge of 1000 fen", async () => {
    const example = /```js\n(\/\/ pay\.mjs[\s\S]*?)```/.exec(README)![1]!;
    expect(example).toContain('const base = "http://127.0.0.1:8787";');
    const script = join(dir, "pay.mjs");
    writeFileSync(script, example.replace('const base = "http://127.0.0.1:8787";', `const base = ${JSON.stringify(env.url)};`));
    const token = await mintToken(TEST_SECRET, { uid: "readme-user" });
    const { stdout } = await promisify(execFile)(process.execPath, [script, token], { cwd: dirname(script), timeout: 20_000 });
    expect(stdout).toContain("cashier: " + env.url + "/__sandbox/wxpay/cashier");
    expect(stdout).toContain("trade_state: SUCCESS balance (fen): 1000");
  });
});
