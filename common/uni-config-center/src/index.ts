import { createConfigCenter, emulatorOverrideRoot } from "./config-center";

/**
 * Local stand-in of DCloud's uni-config-center. Built into
 * `uniCloud/cloudfunctions/common/uni-config-center/index.js`, so `__dirname` is the folder holding the
 * plugin folders (`uni-id/config.json`, `uni-pay/config.js`, ...). Under the emulator a file in
 * `$UNICLOUD_DATA_DIR/uni-config-center/<pluginId>/` replaces the module's file of the same name.
 *
 * Files are parsed once and re-read only when their mtime or size changes (one `stat` per lookup).
 */
const createConfig = createConfigCenter({ moduleDir: __dirname, overrideRoot: emulatorOverrideRoot });

export = createConfig;
