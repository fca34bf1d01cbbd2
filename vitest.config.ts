import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.ts", "infra/**/*.test.ts"],
    globalSetup: ["test/setup/postgres.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: process.env["CI"] ? ["default", ["json", { outputFile: ".reports/vitest.json" }]] : ["default"],
  },
});
