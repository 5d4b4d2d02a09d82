/** Jest runs the TypeScript sources through SWC; `npm run typecheck` is the separate type check. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  globalSetup: "<rootDir>/test/setup/global-setup.ts",
  testTimeout: 30000,
};
