import { defineConfig } from "@playwright/test";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** Browser tests drive Debian's Chromium (never a downloaded browser) against the real server and the Bedrock emulator. */
export default defineConfig({
  testDir: "test/e2e",
  outputDir: "test/e2e/.output",
  globalSetup: "./test/e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env["CI"] ? [["list"], ["json", { outputFile: ".reports/playwright.json" }]] : [["list"]],
  use: {
    // Desktop screenshots at 1440 × 900 (issue 12); phone tests set 390 × 844 themselves.
    viewport: { width: 1440, height: 900 },
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
