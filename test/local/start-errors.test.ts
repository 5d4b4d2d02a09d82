import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, SPACE_DIR } from "../../scripts/build/paths";
import { LOCK_FILE_NAME } from "../../scripts/local/data-dir-lock";
import { checkConfig } from "../../scripts/doctor/check-config";
import { freePort } from "../helpers/processes";

/**
 * Issue 14 items 7 and 8, on the real `npm start` (scripts/start.ts in its own process): a second start
 * on one data directory is refused naming the lock and the first one's pid; a busy PORT or PORT + 1
 * names the variable that moves it; every address the banner prints answers 200.
 */
interface Run {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the banner once the tokens are printed, or with the output and exit code if it exits. */
  ready: Promise<{ banner?: string; exitCode?: number | null }>;
}

const running: ChildProcess[] = [];

function startProcess(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/start.ts")], { cwd: ROOT, env: { ...process.env, ...env } });
  running.push(child);
  let out = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (out += chunk));
  const ready = new Promise<{ banner?: string; exitCode?: number | null }>((resolve) => {
    child.stdout!.on("data", () => {
      if (/admin token[^\n]*\n\s+\S+\n/.test(out)) resolve({ banner: out });
    });
    child.once("exit", (code) => resolve({ exitCode: code }));
  });
  return { child, output: () => out, ready };
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM"))));

describe("npm start's start-up errors", () => {
  let dataDir: string;
  let first: Run;
  let firstPort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-start-"));
    firstPort = await freePort();
    first = startProcess({ UNICLOUD_DATA_DIR: dataDir, PORT: String(firstPort), WXPAY_SANDBOX_HTTPS_PORT: String(await freePort()) });
    const { banner } = await first.ready;
    if (!banner) throw new Error(`npm start did not come up:\n${first.output()}`);
  }, 90_000);
  afterAll(async () => {
    for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints only addresses that answer 200", async () => {
    const banner = first.output();
    const links = [...banner.matchAll(/(POST )?(https?:\/\/\S+)/g)].map(([, post, url]) => ({ post: Boolean(post), url: url!.replace(/[),]+$/, "") }));
    expect(links.length).toBeGreaterThanOrEqual(5);
    for (const link of links) {
      const response = await fetch(link.url, link.post ? { method: "POST", headers: { "content-type": "application/json" }, body: "{}" } : {});
      expect({ url: link.url, status: response.status }).toEqual({ url: link.url, status: 200 });
    }
    expect(banner).toContain("valid 2 hours");
  });

  it("runs a copy of uniCloud/, so the deploy folder gets no node_modules links to the stand-ins", async () => {
    const reply = await fetch(`http://127.0.0.1:${firstPort}/http/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "user/getInfo" }),
    });
    expect(await reply.json()).toMatchObject({ code: 30202 });
    expect(existsSync(join(dataDir, "space/cloudfunctions/vk-pay/node_modules/uni-config-center"))).toBe(true);
    expect(existsSync(join(SPACE_DIR, "cloudfunctions/vk-pay/node_modules"))).toBe(false);
    expect(existsSync(join(SPACE_DIR, "cloudfunctions/common/vk-uni-pay/node_modules"))).toBe(false);
  });

  it("lets npm run doctor, without PORT, print the notify URL on the port this npm start listens on", async () => {
    const saved = process.env.PORT;
    delete process.env.PORT;
    try {
      const wxpay = (await checkConfig(undefined, dataDir)).find((check) => check.provider === "wxpay")!;
      expect(wxpay.notifyUrl).toEqual([`http://127.0.0.1:${firstPort}/http/vk-pay/vk-pay-notify/wxpay_${wxpay.mode}`]);
    } finally {
      if (saved !== undefined) process.env.PORT = saved;
    }
  });

  it("refuses a second start on the same data directory, naming the lock file and the first one's pid", async () => {
    const second = startProcess({ UNICLOUD_DATA_DIR: dataDir, PORT: String(await freePort()), WXPAY_SANDBOX_HTTPS_PORT: String(await freePort()) });
    const { exitCode } = await second.ready;
    expect(exitCode).toBe(1);
    expect(second.output()).toContain(join(dataDir, LOCK_FILE_NAME));
    expect(second.output()).toContain(`pid ${first.child.pid}`);
    expect(second.output()).toContain("UNICLOUD_DATA_DIR");
  }, 60_000);

  it("releases the lock when stopped", async () => {
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(true);
    await stop(first.child);
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  }, 30_000);

  it("takes over a stale lock, and a busy PORT + 1 names WXPAY_SANDBOX_HTTPS_PORT", async () => {
    // A lock left by a process that no longer exists (killed, or the machine rebooted).
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    writeFileSync(join(dataDir, LOCK_FILE_NAME), JSON.stringify({ pid: Number(gone.stdout.trim()) }));
    const port = await freePort();
    const blocker = await occupy(port + 1);
    try {
      const run = startProcess({ UNICLOUD_DATA_DIR: dataDir, PORT: String(port), WXPAY_SANDBOX_HTTPS_PORT: "" });
      const { exitCode } = await run.ready;
      expect(exitCode).toBe(1);
      expect(run.output()).toContain(`port ${port + 1} is already in use`);
      expect(run.output()).toContain("set WXPAY_SANDBOX_HTTPS_PORT to a free port");
      expect(run.output()).not.toContain("another npm start");
      expect(readFileSync(join(dataDir, "uni-config-center/uni-pay/config.js"), "utf8")).toContain("module.exports");
    } finally {
      blocker.close();
    }
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  }, 60_000);

  it("a busy PORT names PORT", async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const run = startProcess({ UNICLOUD_DATA_DIR: dataDir, PORT: String(port), WXPAY_SANDBOX_HTTPS_PORT: String(await freePort()) });
      const { exitCode } = await run.ready;
      expect(exitCode).toBe(1);
      expect(run.output()).toContain(`port ${port} is already in use`);
      expect(run.output()).toContain("set PORT to a free port");
    } finally {
      blocker.close();
    }
  }, 60_000);

  it("an impossible PORT is named before anything starts", async () => {
    const run = startProcess({ UNICLOUD_DATA_DIR: dataDir, PORT: "eighty" });
    expect((await run.ready).exitCode).toBe(1);
    expect(run.output()).toContain('PORT must be a port number (0-65535), got "eighty"');
  });
});
