import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyJwt } from "./helpers/jwt";
import { ROOT } from "../scripts/build/paths";

const TSX = join(ROOT, "node_modules/.bin/tsx");

function secretOf(dataDir: string): string {
  const config = JSON.parse(readFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), "utf8"));
  expect(config.tokenSecret).toMatch(/^[0-9a-f]{64}$/);
  return config.tokenSecret;
}

describe("npm run token", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-token-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("prints a token for the local config as its last line, with the roles asked for", async () => {
    const run = spawnSync(TSX, ["scripts/token.ts", "cli-user", "admin,auditor"], {
      cwd: ROOT,
      env: { ...process.env, UNICLOUD_DATA_DIR: dataDir },
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    const token = run.stdout.trim().split("\n").pop()!;
    const { payload, header } = verifyJwt(token, secretOf(dataDir));
    expect(header).toMatchObject({ alg: "HS256", typ: "JWT" });
    expect(payload).toMatchObject({ uid: "cli-user", role: ["admin", "auditor"], permission: [] });
    expect((payload.exp as number) - (payload.iat as number)).toBe(7200);
  });

  it("keeps the same secret across runs, so earlier tokens stay valid", () => {
    const before = readFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), "utf8");
    const run = spawnSync(TSX, ["scripts/token.ts", "cli-user"], { cwd: ROOT, env: { ...process.env, UNICLOUD_DATA_DIR: dataDir }, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(readFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), "utf8")).toBe(before);
  });

  it("refuses a missing or malformed uid with a usage line", () => {
    for (const args of [[], ["bad uid"], ["../x"]]) {
      const run = spawnSync(TSX, ["scripts/token.ts", ...args], { cwd: ROOT, env: { ...process.env, UNICLOUD_DATA_DIR: dataDir }, encoding: "utf8" });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("usage");
    }
  });
});

describe("npm start", () => {
  it("serves vk-pay and prints a user token and an admin token that work", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "vk-pay-start-"));
    const child = spawn(TSX, ["scripts/start.ts"], { cwd: ROOT, env: { ...process.env, UNICLOUD_DATA_DIR: dataDir, PORT: "0" } });
    try {
      let output = "";
      child.stderr.on("data", (chunk) => (output += chunk));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start printed:\n${output}`)), 20000);
        child.stdout.on("data", (chunk) => {
          output += chunk;
          if (/admin token[^\n]*\n\s+\S+/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
      });
      const url = /vk-pay emulator: (http:\/\/\S+?)\/?\n/.exec(output)![1]!;
      const userToken = /user token[^\n]*\n\s+(\S+)/.exec(output)![1]!;
      const adminToken = /admin token[^\n]*\n\s+(\S+)/.exec(output)![1]!;
      const page = await fetch(`${url}/`);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toContain("vk-pay 控制台");
      // The console's space page lists vk-pay at its URL path.
      const space = (await (await fetch(`${url}/console/api/space`)).json()) as { functions: Array<{ name: string; path: string }> };
      expect(space.functions).toContainEqual(expect.objectContaining({ name: "vk-pay", path: "/http/vk-pay" }));
      for (const [token, uid, role] of [
        [userToken, "demo-user", []],
        [adminToken, "demo-admin", ["admin"]],
      ] as const) {
        const response = await fetch(`${url}/http/vk-pay`, {
          method: "POST",
          headers: { "content-type": "application/json", "uni-id-token": token },
          body: JSON.stringify({ url: "user/getInfo" }),
        });
        expect(await response.json()).toMatchObject({ code: 0, data: { uid, role, balance: 0 } });
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
