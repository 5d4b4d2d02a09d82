import { existsSync, mkdtempSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SPACE_DIR, STAND_IN_DIR } from "../../scripts/build/paths";
import { prepareDataDir } from "../../scripts/local/data-dir";

/** Issue 14 item 1: a data directory moved elsewhere still loads, and signs with the keys it carries. */
describe("generated uni-pay config", () => {
  it("writes no absolute path and resolves its keys from its own folder after a move", async () => {
    const parent = mkdtempSync(join(tmpdir(), "vk-pay-portable-"));
    const before = join(parent, "before");
    await prepareDataDir(before);
    const text = readFileSync(join(before, "uni-config-center/uni-pay/config.js"), "utf8");
    expect(text).not.toContain(before);
    expect(text).not.toContain(SPACE_DIR);
    expect(text).not.toContain(STAND_IN_DIR);

    const after = join(parent, "after");
    renameSync(before, after);
    const previous = process.env.UNICLOUD_STAND_INS_DIR;
    process.env.UNICLOUD_STAND_INS_DIR = STAND_IN_DIR;
    try {
      const config = require(join(after, "uni-config-center/uni-pay/config.js"));
      const h5 = config.wxpay.h5;
      expect(h5.appPrivateKeyPath.startsWith(after)).toBe(true);
      expect(existsSync(h5.appPrivateKeyPath)).toBe(true);
      expect(Buffer.isBuffer(config.wxpay.codepay.pfx)).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.UNICLOUD_STAND_INS_DIR;
      else process.env.UNICLOUD_STAND_INS_DIR = previous;
    }
  });
});
