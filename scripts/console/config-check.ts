import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The console's "配置检查" page reads what `npm run doctor` reads: `checkConfig(configDir?)` of
 * scripts/doctor/check-config.ts, which loads the uni-pay config the way the deployed function does. The
 * page renders each row's fields as given (the doctor owns their meaning), so the two never drift apart.
 */
export type ConfigCheckRow = Record<string, unknown>;

export type ConfigCheckReport = { available: true; rows: ConfigCheckRow[] } | { available: false; reason: string };

const DOCTOR_MODULE = join(__dirname, "../doctor/check-config");

export async function runConfigCheck(configDir?: string): Promise<ConfigCheckReport> {
  if (!existsSync(`${DOCTOR_MODULE}.ts`) && !existsSync(`${DOCTOR_MODULE}.js`)) {
    return { available: false, reason: "scripts/doctor/check-config.ts is not part of this checkout yet (npm run doctor)" };
  }
  // Resolved at run time: the doctor is its own module, and this page only renders what it reports.
  const doctor = require(DOCTOR_MODULE) as { checkConfig?: (dir?: string) => Promise<ConfigCheckRow[]> };
  if (typeof doctor.checkConfig !== "function") return { available: false, reason: "scripts/doctor/check-config.ts exports no checkConfig" };
  return { available: true, rows: await doctor.checkConfig(configDir) };
}
