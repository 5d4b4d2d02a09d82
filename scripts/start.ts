import { mkdirSync } from "node:fs";
import { ensureBuilt } from "./build";
import { landingPage } from "./console/landing";
import { SPACE_DIR } from "./build/paths";
import { dataDirFromEnv, prepareDataDir } from "./local/data-dir";
import { lockDataDir } from "./local/data-dir-lock";
import { sandboxIndex } from "./local/sandbox-index";
import { explainDataDirError, explainListenError, portFromEnv, StartupError } from "./local/startup-errors";
import { ensureUser, issueToken } from "./local/users";
import { createAlipaySandbox } from "./sandbox/alipay";
import { createWxpaySandbox } from "./sandbox/wxpay";
import { createEmulator } from "./uni-cloud-mock/src";

const DEMO_USERS = [
  { label: "user", uid: "demo-user", role: [] as string[] },
  { label: "admin", uid: "demo-admin", role: ["admin"] },
];

const COMMON_ACTIONS = ["pay", "fail", "cancel", "refund-result", "redeliver", "drop", "clock", "issue-code"];

/** `npm start`: the emulator with vk-pay on one port, state under `.unicloud/`. */
async function start(): Promise<void> {
  const port = portFromEnv("PORT", 8787);
  // `/secapi` (v2 refunds, reversals) needs mutual TLS: its own HTTPS port, PORT + 1 unless set.
  const httpsPort = portFromEnv("WXPAY_SANDBOX_HTTPS_PORT", port > 0 && port < 65535 ? port + 1 : 0);
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
  if (written.length > 0) console.log(`generated ${written.join(", ")} in ${dataDir}/uni-config-center/`);

  const emulator = createEmulator({ spaceDir: SPACE_DIR, dataDir, port });
  emulator.mount("/", landingPage(emulator));
  const wxpay = await createWxpaySandbox({ dataDir, httpsPort }).catch((error: unknown) => {
    throw explainListenError(error, { what: "the WeChat Pay sandbox's mutual-TLS port (PORT + 1 unless set)", port: httpsPort, setting: "WXPAY_SANDBOX_HTTPS_PORT" });
  });
  process.env.WXPAY_SANDBOX_HTTPS_PORT = new URL(wxpay.secapiBaseUrl!).port;
  // Mounted first, so each sandbox's own folder answers with its index page; every other path passes on.
  emulator.mount("/__sandbox/wxpay", sandboxIndex({ provider: "wxpay", title: "WeChat Pay sandbox", api: "/v3/pay/transactions/native", actions: COMMON_ACTIONS }));
  emulator.mount("/__sandbox/wxpay", wxpay.handler);
  const alipay = await createAlipaySandbox({ dataDir });
  emulator.mount("/__sandbox/alipay", sandboxIndex({ provider: "alipay", title: "Alipay sandbox", api: "/gateway.do", actions: COMMON_ACTIONS }));
  emulator.mount("/__sandbox/alipay", alipay.handler);
  const url = await emulator.listen().catch(async (error: unknown) => {
    await Promise.all([wxpay.close(), alipay.close()]);
    throw explainListenError(error, { what: "the emulator", port, setting: "PORT" });
  });
  process.env.PORT = String(new URL(url).port);

  const database = emulator.uniCloud.database() as Parameters<typeof ensureUser>[0];
  // Every address printed here answers: the test in test/local/start-errors.test.ts requests each one.
  const lines = [
    `vk-pay emulator: ${url}/ (the web console)`,
    `  vk-pay over HTTP:  POST ${url}/http/vk-pay`,
    `  client calls:      POST ${url}/__callFunction/vk-pay`,
    `  WeChat Pay sandbox: ${url}/__sandbox/wxpay/`,
    `  Alipay sandbox:     ${url}/__sandbox/alipay/`,
    `  WeChat Pay v2 mutual TLS (/secapi): port ${process.env.WXPAY_SANDBOX_HTTPS_PORT} (WXPAY_SANDBOX_HTTPS_PORT)`,
    `  data directory: ${dataDir} (UNICLOUD_DATA_DIR; locked by ${lock.lockFile} while this runs)`,
  ];
  for (const user of DEMO_USERS) {
    await ensureUser(database, user.uid, user.role);
    const { token } = await issueToken(user.uid, user.role);
    lines.push(`${user.label} token (uid ${user.uid}${user.role.length ? `, role ${user.role.join(",")}` : ""}; valid 2 hours, run npm start or npm run -s token -- ${user.uid}${user.role.length ? ` ${user.role.join(",")}` : ""} for a new one):`, `  ${token}`);
  }
  console.log(lines.join("\n"));

  const stop = () => {
    void Promise.all([wxpay.close(), alipay.close()])
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
