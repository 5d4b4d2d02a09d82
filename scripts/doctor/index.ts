import { checkConfig } from "./check-config";

/** `npm run doctor [-- <config folder>]`: what each provider's modes have, lack, and where they notify. */
async function main(): Promise<void> {
  const checks = await checkConfig(process.argv[2]);
  for (const check of checks) {
    console.log(`${check.status.padEnd(8)} ${check.provider} ${check.mode}`);
    if (check.status === "unused") continue;
    for (const item of check.items) console.log(`  ${item.status.padEnd(8)} ${item.key.padEnd(40)} ${item.detail}`);
    for (const url of check.notifyUrl) console.log(`  notify   ${url}`);
  }
  const bad = checks.filter((check) => check.status === "missing" || check.status === "mismatch");
  console.log(`${checks.length} provider modes checked, ${bad.length} need attention`);
  if (bad.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
