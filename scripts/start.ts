import { ensureBuilt } from "./build";
import { landingPage } from "./console/landing";
import { SPACE_DIR } from "./build/paths";
import { dataDirFromEnv, prepareDataDir } from "./local/data-dir";
import { ensureUser, issueToken } from "./local/users";
import { createAlipaySandbox } from "./sandbox/alipay";
import { createWxpaySandbox } from "./sandbox/wxpay";
import { createEmulator } from "./uni-cloud-mock/src";

const DEMO_USERS = [
  { label: "user", uid: "demo-user", role: [] as string[] },
  { label: "admin", uid: "demo-admin", role: ["admin"] },
];

/** `npm start`: the emulator with vk-pay on one port, state under `.unicloud/`. */
async function start(): Promise<void> {
  if (await ensureBuilt()) console.log("built uniCloud/ and dist/uni_modules/vk-uni-pay/");
  const dataDir = dataDirFromEnv();
  const written = await prepareDataDir(dataDir);
  if (written.length > 0) console.log(`generated ${written.join(", ")} in ${dataDir}/uni-config-center/`);

  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const emulator = createEmulator({ spaceDir: SPACE_DIR, dataDir, port });
  emulator.mount("/", landingPage(emulator));
  // `/secapi` (v2 refunds, reversals) needs mutual TLS: its own HTTPS port, PORT + 1 unless set.
  const httpsPort = Number(process.env.WXPAY_SANDBOX_HTTPS_PORT ?? (port > 0 && port < 65535 ? port + 1 : 0));
  const wxpay = await createWxpaySandbox({ dataDir, httpsPort });
  process.env.WXPAY_SANDBOX_HTTPS_PORT = new URL(wxpay.secapiBaseUrl!).port;
  emulator.mount("/__sandbox/wxpay", wxpay.handler);
  const alipay = await createAlipaySandbox({ dataDir });
  emulator.mount("/__sandbox/alipay", alipay.handler);
  const url = await emulator.listen();
  process.env.PORT = String(new URL(url).port);

  const database = emulator.uniCloud.database() as Parameters<typeof ensureUser>[0];
  const lines = [
    `vk-pay emulator: ${url}/`,
    `  vk-pay over HTTP: ${url}/http/vk-pay`,
    `  client calls:     ${url}/__callFunction/vk-pay`,
    `  WeChat Pay sandbox: ${url}/__sandbox/wxpay/ (cashier: ${url}/__sandbox/wxpay/cashier?out_trade_no=...)`,
    `  Alipay sandbox:     ${url}/__sandbox/alipay/gateway.do (cashier: ${url}/__sandbox/alipay/cashier?out_trade_no=...)`,
    `  WeChat Pay /secapi (mutual TLS): ${wxpay.secapiBaseUrl}/secapi/pay/refund`,
  ];
  for (const user of DEMO_USERS) {
    await ensureUser(database, user.uid, user.role);
    const { token } = await issueToken(user.uid, user.role);
    lines.push(`${user.label} token (uid ${user.uid}${user.role.length ? `, role ${user.role.join(",")}` : ""}):`, `  ${token}`);
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
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
