import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");

test("the code is as `npm run format` leaves it (prettier, 160 columns)", () => {
  // The CLI, not the API: prettier loads its parsers with dynamic import, which jest's module system refuses.
  const run = spawnSync(process.execPath, [require.resolve("prettier/bin/prettier.cjs"), "--list-different", "**/*.{ts,js}"], { cwd: root, encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.stdout.split("\n").filter(Boolean)).toEqual([]);
});
