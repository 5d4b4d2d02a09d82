import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/build/paths";

/**
 * Issue 14 item 10: most uni-app developers are on Windows, where npm runs scripts with cmd.exe. A script
 * that needs a POSIX shell, or a path glued together with "/", works here and breaks there.
 */
const PACKAGE_FILES = [
  "package.json",
  ...JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).workspaces.map((dir: string) => join(dir, "package.json")),
];

/** What cmd.exe does not do as sh does: chaining, pipes, redirection, variables, quoting, env prefixes, Unix tools. */
const POSIX_ONLY = [/&&|\|\||[|;<>`$]/, /'/, /(^|\s)[A-Z_][A-Z0-9_]*=\S/, /(^|\s)(rm|cp|mv|mkdir|cat|export|test|\[)\s/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name === "space") return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

describe("portability to Windows", () => {
  it.each(PACKAGE_FILES)("%s: every npm script runs without a POSIX shell", (file) => {
    const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, file), "utf8")).scripts ?? {};
    for (const [name, command] of Object.entries(scripts)) {
      const offending = POSIX_ONLY.filter((pattern) => pattern.test(command)).map(String);
      expect({ name, command, offending }).toEqual({ name, command, offending: [] });
    }
  });

  it("the checker itself refuses what cmd.exe cannot run", () => {
    for (const command of ["rm -rf dist && tsx build.ts", "NODE_ENV=test jest", "tsx a.ts | tee log", "echo $PORT", "node -e 'x'"]) {
      expect(POSIX_ONLY.some((pattern) => pattern.test(command))).toBe(true);
    }
    expect(POSIX_ONLY.some((pattern) => pattern.test("tsx scripts/build/index.ts"))).toBe(false);
  });

  it("scripts/ never joins a filesystem path with a literal /", () => {
    // `${dir}/x` and dir + "/x" make mixed separators on Windows; join() and resolve() are the way.
    const joined = /\$\{[^}]*(?:[Dd]ir|Path|ROOT|__dirname|[Ff]ile|root)\}\/|(?:[Dd]ir|__dirname|ROOT|root)\s*\+\s*["'`]\//;
    const offenders = sourceFiles(join(ROOT, "scripts")).flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, index) => ({ file: file.slice(ROOT.length + 1), line: index + 1, text: line.trim() }))
        .filter(({ text }) => joined.test(text)),
    );
    expect(offenders).toEqual([]);
    expect(joined.test("const file = `${dataDir}/config.js`;")).toBe(true);
  });
});
