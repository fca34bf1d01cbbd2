#!/usr/bin/env node
// `npm test`: every suite. Vitest (unit, integration against the Bedrock emulator, the CLI), then Playwright
// in Debian's Chromium. Without Chromium the browser tests are skipped with a notice, unless REQUIRE_E2E=1
// (CI), where a missing browser is a failure.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit", env: process.env }).status ?? 1;

const vitest = run("npx", ["vitest", "run", ...process.argv.slice(2)]);
let e2e = 0;
if (existsSync(chromium)) {
  e2e = run("npx", ["playwright", "test"]);
} else if (process.env.REQUIRE_E2E === "1") {
  console.error(`\nREQUIRE_E2E=1 but ${chromium} is missing: install Debian's chromium (apt-get install chromium).`);
  e2e = 1;
} else {
  console.warn(`\nNOTICE: browser tests skipped: ${chromium} not found (apt-get install chromium to run them).`);
}
process.exit(vitest || e2e);
