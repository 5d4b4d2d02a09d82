import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";
import { ROOT } from "./paths";

const ENTRY = resolve(ROOT, "common/vk-uni-pay-client/src/index.ts");

/**
 * The client SDK's declarations beside its bundle (`js_sdk/vk-uni-pay-client.d.ts`), so a TypeScript
 * uni-app project that imports the `.js` gets `vkPay`'s types. The source's own declarations are emitted
 * into `js_sdk/types/` and the bundle's file re-exports them; they come from the same source as the bundle.
 */
export function emitClientTypes(bundleFile: string): void {
  const outDir = join(dirname(bundleFile), "types");
  rmSync(outDir, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    declaration: true,
    emitDeclarationOnly: true,
    strict: true,
    target: ts.ScriptTarget.ES2017,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ["lib.es2017.d.ts", "lib.dom.d.ts"],
    types: [],
    skipLibCheck: true,
    rootDir: dirname(ENTRY),
    outDir,
  };
  const program = ts.createProgram([ENTRY], options);
  const result = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (result.emitSkipped || errors.length > 0) {
    throw new Error(
      `client SDK declarations: ${ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" })}`,
    );
  }
  mkdirSync(dirname(bundleFile), { recursive: true });
  writeFileSync(bundleFile.replace(/\.js$/, ".d.ts"), 'export * from "./types/index";\n');
}
