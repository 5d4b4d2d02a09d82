import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt } from "./build";
import { ensureDemoGoods } from "./console/demo-goods";
import { consoleHandler } from "./console/server";
import { dataDirFromEnv, prepareDataDir } from "./local/data-dir";
import { lockDataDir } from "./local/data-dir-lock";
import { prepareRunSpace } from "./local/run-space";
import { sandboxIndex } from "./local/sandbox-index";
import { COMMON_ACTIONS, SANDBOXES, type RunningSandbox } from "./sandbox/registry";
import { explainDataDirError, explainListenError, portFromEnv, StartupError } from "./local/startup-errors";
import { ensureUser, issueToken } from "./local/users";
import { createEmulator } from "./uni-cloud-mock/src";

const DEMO_USERS = [
  { label: "user", uid: "demo-user", role: [] as string[] },
  { label: "admin", uid: "demo-admin", role: ["admin"] },
];

/** `npm start`: the emulator with vk-pay on one port, state under `.unicloud/`. */
async function start(): Promise<void> {
  const port = portFromEnv("PORT", 8787);
  for (const sandbox of SANDBOXES) sandbox.checkSettings?.();
  const dataDir = dataDirFromEnv();
  let lock: ReturnType<typeof lockDataDir>;
  try {
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir);
  } catch (error) {
    throw explainDataDirError(error, dataDir);
  }
  process.once("exit", () => lock.release());

  if (await ensureBuilt()) console.log("built uniCloud/ and dist/uni_modules/vk-uni-pay/");
  const written = await prepareDataDir(dataDir).catch((error: unknown) => {
    throw explainDataDirError(error, dataDir);
  });
  if (written.length > 0) console.log(`generated ${written.join(", ")} in ${join(dataDir, "uni-config-center")}`);

  const emulator = createEmulator({ spaceDir: prepareRunSpace(dataDir), dataDir, port });
  emulator.mount("/", consoleHandler({ emulator, sandboxes: SANDBOXES.map((sandbox) => sandbox.name) }));
  const running: RunningSandbox[] = [];
  const closeSandboxes = () => Promise.all(running.map((sandbox) => sandbox.close()));
  for (const sandbox of SANDBOXES) {
    const started = await sandbox.start({ dataDir, mode: "serve" }).catch(async (error: unknown) => {
      await closeSandboxes();
      throw error;
    });
    running.push(started);
    // Mounted first, so each sandbox's own folder answers with its index page; every other path passes on.
    emulator.mount(`/__sandbox/${sandbox.name}`, sandboxIndex({ provider: sandbox.name, title: sandbox.title, api: sandbox.api, actions: COMMON_ACTIONS }));
    emulator.mount(`/__sandbox/${sandbox.name}`, started.handler);
  }
  const url = await emulator.listen().catch(async (error: unknown) => {
    await closeSandboxes();
    throw explainListenError(error, { what: "the emulator", port, setting: "PORT" });
  });
  process.env.PORT = String(new URL(url).port);
  lock.recordPort(Number(process.env.PORT));

  const database = emulator.uniCloud.database() as Parameters<typeof ensureUser>[0];
  // Every address printed here answers (the first is the web console): test/local/start-errors.test.ts requests each one.
  const lines = [
    `vk-pay emulator: ${url}/`,
    `  vk-pay over HTTP:  POST ${url}/http/vk-pay`,
    `  client calls:      POST ${url}/__callFunction/vk-pay`,
    ...SANDBOXES.map((sandbox) => `  ${`${sandbox.title}:`.padEnd(19)} ${url}/__sandbox/${sandbox.name}/`),
    ...running.flatMap((sandbox) => sandbox.banner ?? []),
    `  data directory: ${dataDir} (UNICLOUD_DATA_DIR; locked by ${lock.lockFile} while this runs)`,
  ];
  await ensureDemoGoods(database as unknown as Parameters<typeof ensureDemoGoods>[0]);
  const tokens: string[] = [];
  for (const user of DEMO_USERS) {
    await ensureUser(database, user.uid, user.role);
    const { token } = await issueToken(user.uid, user.role);
    tokens.push(token);
    lines.push(
      `${user.label} token (uid ${user.uid}${user.role.length ? `, role ${user.role.join(",")}` : ""}; valid 2 hours, run npm start or npm run -s token -- ${user.uid}${user.role.length ? ` ${user.role.join(",")}` : ""} for a new one):`,
      `  ${token}`,
    );
  }
  // The fragment never reaches the server: the console page reads it, keeps the tokens and drops it from the address.
  lines.push(`web console, logged in as both: ${url}/#login=${tokens.join(",")}`);
  console.log(lines.join("\n"));

  const stop = () => {
    void closeSandboxes()
      .then(() => emulator.close())
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

start().catch((error: unknown) => {
  // A StartupError is the whole story; anything else keeps its stack for a bug report.
  console.error(error instanceof StartupError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
