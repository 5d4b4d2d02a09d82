import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The payment platforms' sandboxes `npm start` and the tests run, one entry each: adding a sandbox is its
 * folder plus one line in SANDBOXES. The start script, the data-directory setup and the test space
 * iterate this list; none of them names a sandbox.
 */

/** How a sandbox runs: `serve` for `npm start` (state kept in the data directory, real timings), `test` for the suites (in memory, quick retries). */
export type SandboxRunMode = "serve" | "test";

export interface RunningSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** Resolves when no notification is being delivered. */
  idle(): Promise<void>;
  close(): Promise<void>;
  /** Extra lines for the `npm start` banner (a second port, say), each naming the setting that moves it. */
  banner?: string[];
}

export interface SandboxDefinition<Running extends RunningSandbox = RunningSandbox> {
  /** The provider it plays: mounted at `/__sandbox/<name>`, its block in uni-pay/config.js is `<name>`. */
  name: string;
  title: string;
  /** The API entry the library calls, shown on the sandbox's index page. */
  api: string;
  /** Its block of the generated uni-pay/config.js (a JS expression), with test keys made once per data directory. */
  renderConfig(dataDir: string): Promise<string>;
  /** Refuses a bad setting of its own (a port variable, say) before anything starts, naming the setting. */
  checkSettings?(): void;
  start(options: { dataDir: string; mode: SandboxRunMode; log?: (line: string) => void }): Promise<Running>;
}

/** Control actions every sandbox answers (SPEC §9). */
export const COMMON_ACTIONS = ["pay", "fail", "cancel", "refund-result", "redeliver", "drop", "clock", "issue-code"];

import { alipaySandbox } from "./alipay/definition";
import { appleiapSandbox } from "./appleiap/definition";
import { douyinSandbox } from "./douyin/definition";
import { wxpaySandbox } from "./wxpay/definition";
import { huaweiSandbox } from "./huawei/definition";
import { vkspaySandbox } from "./vkspay/definition";
import { wxpayVirtualSandbox } from "./wxpay-virtual/definition";

export const SANDBOXES: readonly SandboxDefinition[] = [
  wxpaySandbox,
  alipaySandbox,
  appleiapSandbox,
  vkspaySandbox,
  wxpayVirtualSandbox,
  douyinSandbox,
  huaweiSandbox,
];
