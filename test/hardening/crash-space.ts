import { createServer, type Server } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SPACE_DIR } from "../../scripts/build/paths";
import { prepareDataDir } from "../../scripts/local/data-dir";
import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig } from "../../scripts/sandbox/pki";
import { createWxpaySandbox, type WxpaySandbox } from "../../scripts/sandbox/wxpay";
import { createDatabase, type CloudDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { writeUniPayConfig } from "../e2e/helpers/wxpay";
import { copySpace } from "../helpers/fixture-space";
import { freePort, startEmulatorProcess } from "../helpers/processes";
import { mintToken, TEST_SECRET, UNI_ID_TEST_CONFIG } from "../helpers/tokens";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";

/**
 * The crash harness's world: `instances` emulator processes serving the built vk-pay on one database file
 * (cloud instances of one function), and the WeChat Pay sandbox in this process, which no kill reaches, as
 * the real platform outlives our instances. Each instance keeps its port across restarts, so the
 * notification URL an order stored reaches whichever process serves that port now.
 */
export interface Instance {
  port: number;
  url: string;
  child?: ChildProcess;
  /** Killed and not yet back: set at the kill, before the process is reaped. */
  down?: boolean;
  /** The restart under way, so two restarts of one instance never race for its port. */
  restarting?: Promise<void>;
}

export const USERS = ["u1", "u2", "u3"] as const;

export async function startCrashSpace(instances: number, env: NodeJS.ProcessEnv = {}) {
  const space = copySpace(SPACE_DIR);
  const dataDir = space.dataDir;
  mkdirSync(join(dataDir, "uni-config-center/uni-id"), { recursive: true });
  writeFileSync(join(dataDir, "uni-config-center/uni-id/config.json"), JSON.stringify(UNI_ID_TEST_CONFIG));
  const sandboxPort = await freePort();
  const sandboxBase = `http://127.0.0.1:${sandboxPort}/__sandbox/wxpay`;
  writeUniPayConfig(dataDir, { h5: wxpaySandboxConfig(await loadOrCreateWxpaySandboxKeys(dataDir), sandboxBase) });
  await prepareDataDir(dataDir);

  // Delivery retries quickly: a notification to a killed instance is tried again after its restart.
  const wxpay: WxpaySandbox = await createWxpaySandbox({
    dataDir,
    persist: false,
    refundAutoSettleMs: false,
    notifyRetryDelaysMs: [150, 400, 800, 1500],
    log: () => undefined,
  });
  const server: Server = createServer((req, res) => {
    void wxpay.handler(req, res, new URL(req.url ?? "/", sandboxBase)).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(sandboxPort, "127.0.0.1", resolve));

  const databaseFile = join(dataDir, "shared.sqlite");

  const pool: Instance[] = [];
  for (let i = 0; i < instances; i += 1) pool.push({ port: await freePort(), url: "" });
  /** What (re)started instances get in their environment: the fault mode, while a run wants it. */
  const instanceEnv: NodeJS.ProcessEnv = { ...env };
  const start = async (instance: Instance) => {
    const { child, url } = await startEmulatorProcess([space.spaceDir, dataDir, databaseFile, String(instance.port)], { ...instanceEnv });
    instance.child = child;
    instance.url = url;
  };
  // One after the other: the first creates the tables.
  for (const instance of pool) await start(instance);

  const setup = createDatabase({ file: databaseFile });
  await setup
    .collection("uni-id-users")
    .add([...USERS.map((uid) => ({ _id: uid, role: [], status: 0, balance: 0 })), { _id: "boss", role: ["admin"], status: 0 }]);
  await setup.close();

  const tokens = Object.fromEntries(
    await Promise.all([...USERS, "boss"].map(async (uid) => [uid, await mintToken(TEST_SECRET, { uid, ...(uid === "boss" ? { role: ["admin"] } : {}) })])),
  );
  /** A route of vk-pay on one instance; a killed instance's call rejects (connection refused or reset). */
  const call = async (instance: Instance, uid: string, url: string, data: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${instance.port}/http/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "uni-id-token": tokens[uid]! },
      body: JSON.stringify({ url, data }),
    });
    return (await response.json()) as { code: number; msg?: string; data?: any };
  };
  const control = async (action: string, body: Record<string, unknown>) => {
    const response = await fetch(`${sandboxBase}/${action}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return (await response.json()) as Record<string, any>;
  };

  return {
    dataDir,
    spaceDir: space.spaceDir,
    databaseFile,
    wxpay,
    mchId: wxpay.keys.mchId,
    pool,
    /** Changes what instances started from now on get (the running ones keep theirs). */
    setInstanceEnv(next: NodeJS.ProcessEnv) {
      for (const name of Object.keys(instanceEnv)) delete instanceEnv[name];
      Object.assign(instanceEnv, next);
    },
    call,
    control,
    isAlive: (instance: Instance) => Boolean(instance.child && !instance.down),
    kill(instance: Instance) {
      instance.down = true;
      instance.child?.kill("SIGKILL");
    },
    restart(instance: Instance): Promise<void> {
      if (!instance.down) return Promise.resolve();
      instance.restarting ??= (async () => {
        const dead = instance.child;
        // Its port is free only once the killed process is gone.
        if (dead && dead.exitCode === null && dead.signalCode === null) await once(dead, "exit");
        await start(instance);
        instance.down = false;
      })().finally(() => (instance.restarting = undefined));
      return instance.restarting;
    },
    openDatabase: (): CloudDatabase => createDatabase({ file: databaseFile }),
    async close() {
      for (const instance of pool) instance.child?.kill("SIGKILL");
      await wxpay.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      space.cleanup();
    },
  };
}

export type CrashSpace = Awaited<ReturnType<typeof startCrashSpace>>;
