import createConfig = require("uni-config-center");
import { createUniIdInstance, type UniIdInstance } from "./instance";
import type { CreateInstanceOptions, UniIdDatabase } from "./types";

/**
 * Local stand-in of DCloud's uni-id-common (the token layer), for the emulator only: in the cloud the
 * real module is installed. Built into `uniCloud/cloudfunctions/common/uni-id-common/index.js`.
 */
function database(): UniIdDatabase | undefined {
  const uniCloud = (globalThis as { uniCloud?: { database?: () => UniIdDatabase } }).uniCloud;
  return typeof uniCloud?.database === "function" ? uniCloud.database() : undefined;
}

function createInstance(options: CreateInstanceOptions = {}): UniIdInstance {
  return createUniIdInstance(options, {
    now: Date.now,
    loadConfig: () => createConfig({ pluginId: "uni-id" }).config(),
    database,
  });
}

const uniIdCommon = { createInstance };

export = uniIdCommon;
