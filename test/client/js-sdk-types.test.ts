import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { ensureBuilt } from "../../scripts/build";
import { PLUGIN_DIR } from "../../scripts/build/paths";

/** A TypeScript uni-app page importing the plugin's js_sdk gets vkPay's types from the built `.d.ts`. */
describe("the built client SDK's declarations", () => {
  const sdk = join(PLUGIN_DIR, "js_sdk/vk-uni-pay-client.js");
  let dir: string;
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "vk-pay-sdk-types-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const compile = (source: string): string[] => {
    const file = join(dir, `page-${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, source.replace("SDK", sdk.replace(/\.js$/, ".js")));
    const program = ts.createProgram([file], {
      noEmit: true,
      strict: true,
      target: ts.ScriptTarget.ES2017,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ["lib.es2017.d.ts", "lib.dom.d.ts"],
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  };

  it("sits beside the bundle", () => {
    expect(existsSync(sdk.replace(/\.js$/, ".d.ts"))).toBe(true);
  });

  it("types a page's calls: pay, its result, failType, queryPayment, confirmReturn and createVkPay's options", () => {
    const errors = compile(`
      import { vkPay, createVkPay, VkPayClientError, type PayResult, type FailType } from "SDK";
      async function page(): Promise<void> {
        const res: PayResult = await vkPay.pay({ provider: "wxpay", type: "recharge", data: { total_fee: 1000 }, awaitNotify: true });
        const paid: boolean = res.orderPaid;
        const state = await vkPay.queryPayment({ out_trade_no: res.out_trade_no, await_notify: true });
        const back = await createVkPay({ actionKey: "action" }).confirmReturn({ query: { confirmShow: "true" } });
        const kind: FailType = "create";
        console.log(paid, state.trade_state, back?.orderPaid, kind, VkPayClientError);
      }
      page();
    `);
    expect(errors).toEqual([]);
  });

  it("refuses what the SDK does not take (a misspelt call, a wrong type), so the declarations say something", () => {
    const errors = compile(`
      import { vkPay } from "SDK";
      vkPay.payy({ provider: "wxpay" });
      const n: number = vkPay.confirmReturn;
    `);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.join("\n")).toMatch(/payy/);
  });
});

/**
 * Review finding D8: createPayment's input and answers are one definition (vk-uni-pay-client/src/wire.ts)
 * that the library answers with and the SDK declares, so a field added on one side is on the other.
 */
describe("createPayment's wire types, shared by the library and the SDK", () => {
  const ROOT = join(__dirname, "../..");
  const check = (source: string): string[] => {
    const dir = mkdtempSync(join(tmpdir(), "vk-pay-wire-"));
    try {
      const file = join(dir, "check.ts");
      writeFileSync(file, source.replace(/ROOT/g, ROOT));
      const program = ts.createProgram([file], {
        noEmit: true,
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        lib: ["lib.es2022.d.ts"],
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules/@types")],
        esModuleInterop: true,
        resolveJsonModule: true,
        skipLibCheck: true,
      });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("the library's CreatePaymentData and QueryPaymentData are the SDK's answers, both ways", () => {
    const errors = check(`
      import type { CreatePaymentData } from "ROOT/common/vk-uni-pay/src/api/create-payment";
      import type { QueryPaymentData } from "ROOT/common/vk-uni-pay/src/api/query-payment";
      import type { CreatedPayment, PaymentState, PayParams } from "ROOT/common/vk-uni-pay-client/src/index";
      import type { ClientCreateFields } from "ROOT/common/vk-uni-pay-client/src/wire";
      type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
      const created: Same<Omit<CreatePaymentData, "orderInfo">, Omit<CreatedPayment, "orderInfo">> = true;
      const fromServer = (data: QueryPaymentData): PaymentState => data;
      const fields: Same<Pick<PayParams, keyof ClientCreateFields>, ClientCreateFields> = true;
      console.log(created, fromServer, fields);
    `);
    expect(errors).toEqual([]);
  }, 60_000);

  it("a field the SDK's answer lacks is caught, so the check says something", () => {
    const errors = check(`
      import type { CreatedPayment } from "ROOT/common/vk-uni-pay-client/src/index";
      type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
      const drifted: Same<Omit<CreatedPayment, "orderInfo">, Omit<CreatedPayment, "orderInfo"> & { extra: string }> = true;
      console.log(drifted);
    `);
    expect(errors.length).toBeGreaterThan(0);
  }, 60_000);
});
