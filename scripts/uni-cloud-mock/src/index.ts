export { createEmulator, type Emulator, type EmulatorOptions, type InvokeOptions } from "./emulator";
export type { FunctionContext, ClientInfo, CallSource } from "./context";
export type { HttpEvent } from "./http-event";
export type { MountedHandler } from "./http-server";
export { linkFileDependencies } from "./function-loader";
