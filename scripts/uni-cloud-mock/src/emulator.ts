import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { join, resolve } from "node:path";
import { createCorsPolicy } from "./cors";
import { createContext, type CallSource, type ClientInfo, type SpaceInfo } from "./context";
import { createDatabase } from "./database";
import { UniCloudError } from "./errors";
import { discoverFunctions, type CloudFunction } from "./function-loader";
import { request as httpRequest } from "./httpclient";
import { createHttpServer, type MountedHandler } from "./http-server";
import { currentInvocation } from "./invocation";
import { createTimerScheduler, type TimerRun } from "./timers";
import { createUniCloudGlobal, type UniCloudGlobal } from "./uni-cloud-global";

export interface EmulatorOptions {
  /** The space folder (`uniCloud/`) holding `cloudfunctions/` and `database/`. */
  spaceDir: string;
  /**
   * Stand-ins of DCloud's modules (`cloudfunctions/common/*`) and collections (`database/*`), used
   * where the space has none of its own. Defaults to the emulator's `space/` folder.
   */
  standInsDir?: string;
  /** `UNICLOUD_DATA_DIR`: the database file, generated keys, `uni-config-center/` overrides. */
  dataDir: string;
  /** Defaults to `<dataDir>/database.sqlite`; `":memory:"` for tests. */
  databaseFile?: string;
  port?: number;
  host?: string;
  /** Runs timer triggers on their schedule once listening (default true). */
  timers?: boolean;
  /** `UNICLOUD_ALLOWED_ORIGINS`: other origins whose pages may call the client endpoints (default: localhost ones). */
  allowedOrigins?: string;
  /** Request bodies above this are refused, as Aliyun does above 2 MB. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface InvokeOptions {
  source: CallSource;
  clientInfo?: ClientInfo;
  clientIP?: string;
  userAgent?: string;
  uniIdToken?: string;
}

export interface Emulator {
  readonly uniCloud: UniCloudGlobal;
  readonly space: SpaceInfo;
  readonly dataDir: string;
  functions(): CloudFunction[];
  /** Runs a function as uniCloud would for a call from `source`. */
  invoke(name: string, event: unknown, options: InvokeOptions): Promise<{ result: unknown; requestId: string }>;
  /** Fires a function's timer trigger now, with the uniCloud timer event. */
  runTimer(name: string): Promise<TimerRun>;
  /** Serves `handler` for every path under `prefix` (sandboxes, the web console). */
  mount(prefix: string, handler: MountedHandler): void;
  listen(): Promise<string>;
  readonly url: string | undefined;
  close(): Promise<void>;
}

/** The emulator's own stand-ins, beside its sources, so no deploy folder ever carries them. */
export const DEFAULT_STAND_INS_DIR = resolve(__dirname, "../space");

const LOCAL_SPACE: SpaceInfo = { spaceId: "local", provider: "aliyun" };

/**
 * A local uniCloud: the global `uniCloud`, the space's functions with real events and contexts, the
 * URL化 HTTP server with `/__callFunction`, and timer triggers. One emulator owns the global at a time.
 */
export function createEmulator(options: EmulatorOptions): Emulator {
  const spaceDir = resolve(options.spaceDir);
  const dataDir = resolve(options.dataDir);
  const standInsDir = resolve(options.standInsDir ?? DEFAULT_STAND_INS_DIR);
  mkdirSync(dataDir, { recursive: true });
  // uni-config-center's stand-in reads its overrides from here, at call time.
  process.env.UNICLOUD_DATA_DIR = dataDir;
  // The generated uni-pay config finds its template through these at load time, so a moved project still loads.
  process.env.UNICLOUD_SPACE_DIR = spaceDir;
  process.env.UNICLOUD_STAND_INS_DIR = standInsDir;
  const log = options.log ?? ((line: string) => console.log(line));
  const database = createDatabase({
    file: options.databaseFile ?? join(dataDir, "database.sqlite"),
    definitionsDir: [join(spaceDir, "database"), join(standInsDir, "database")],
  });
  const functions = discoverFunctions(spaceDir, join(standInsDir, "cloudfunctions/common"));
  const mounts: Array<{ prefix: string; handler: MountedHandler }> = [];
  let server: Server | undefined;
  let url: string | undefined;

  function findFunction(name: string): CloudFunction {
    const fn = functions.find((candidate) => candidate.name === name);
    if (!fn) throw new UniCloudError("FUNCTION_NOT_FOUND", `cloud function ${name} does not exist in this space`, 404);
    return fn;
  }

  async function invoke(name: string, event: unknown, invokeOptions: InvokeOptions) {
    const fn = findFunction(name);
    const main = fn.load();
    const context = createContext({
      functionName: name,
      source: invokeOptions.source,
      space: LOCAL_SPACE,
      clientIP: invokeOptions.clientIP,
      userAgent: invokeOptions.userAgent,
      clientInfo: invokeOptions.clientInfo,
      uniIdToken: invokeOptions.uniIdToken,
    });
    const result = await currentInvocation.run(context, async () => {
      // Legacy uni-id and uni-captcha read the current context from this global.
      (globalThis as Record<string, unknown>).__ctx__ = context;
      return main(event, context);
    });
    return { result, requestId: context.requestId };
  }

  const uniCloud = createUniCloudGlobal({
    database: () => database,
    request: (target, requestOptions) => httpRequest(target, requestOptions as never),
    callFunction: (name, data) => invoke(name, data, { source: "function" }),
    log: (level, args) => log(`[${level}] ${args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ")}`),
  });
  (globalThis as Record<string, unknown>).uniCloud = uniCloud;

  const scheduler = createTimerScheduler({
    triggers: functions.flatMap((fn) => (fn.config.triggers ?? []).map((trigger) => ({ functionName: fn.name, trigger }))),
    fire: async (name, event) => (await invoke(name, event, { source: "timing" })).result,
    log: (level, message, error) => log(`[timer] ${message}${error ? `: ${(error as Error)?.stack ?? String(error)}` : ""}`),
  });

  return {
    uniCloud,
    space: LOCAL_SPACE,
    dataDir,
    functions: () => functions,
    invoke,
    runTimer: (name) => scheduler.runNow(name),
    mount(prefix, handler) {
      mounts.push({ prefix: prefix.replace(/\/+$/, "") || "/", handler });
      mounts.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    get url() {
      return url;
    },
    async listen() {
      server = createHttpServer({
        functions: () => functions,
        invoke: (name, event, request) => invoke(name, event, request),
        mounts: () => mounts,
        maxBodyBytes: options.maxBodyBytes ?? 2 * 1024 * 1024,
        cors: createCorsPolicy(options.allowedOrigins ?? process.env.UNICLOUD_ALLOWED_ORIGINS),
        log,
      });
      const host = options.host ?? "127.0.0.1";
      await new Promise<void>((done, fail) => {
        server!.once("error", fail);
        server!.listen(options.port ?? 8787, host, () => done());
      });
      const address = server.address() as AddressInfo;
      url = `http://${host}:${address.port}`;
      if (options.timers !== false) scheduler.start();
      return url;
    },
    async close() {
      scheduler.stop();
      await scheduler.whenIdle();
      if (server) {
        server.closeAllConnections?.();
        await new Promise<void>((done) => server!.close(() => done()));
      }
      await database.close();
      if ((globalThis as Record<string, unknown>).uniCloud === uniCloud) delete (globalThis as Record<string, unknown>).uniCloud;
    },
  };
}
