/// <reference lib="dom" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_CONFIG_PATH } from "../../src/config/load.js";
import { ROOT } from "../../src/server/web-build.js";
import { startChatServer } from "../helpers/chat-server.js";
import { expect, test } from "./fixtures.js";

/** Prompt caching on the admin Usage page (issue 15): cache tokens, the cost billed and without caching, missing prices. */

test("the admin Usage page gives, per user and model, the cache tokens and the cost with and without caching", async ({ chat, stack }) => {
  await chat.open();
  // Claude 3.7 Sonnet (the default): input 0.003, output 0.015, cache read 0.0003, cache write 0.00375 per 1,000 tokens.
  // Answer 1: 100 x 0.003 + 2,000 written x 0.00375 + 50 x 0.015 = 0.00855 (0.00705 without caching: 2,100 x 0.003 + 0.00075).
  // Answer 2: 10 x 0.003 + 2,000 read x 0.0003 + 100 written x 0.00375 + 0.00075 = 0.001755 (0.00708 without: 2,110 x 0.003 + 0.00075).
  stack.emulator.enqueue(
    { blocks: [{ text: "one" }], usage: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheWriteInputTokens: 2000, cacheDetails: [{ ttl: "5m", inputTokens: 2000 }] } },
    { blocks: [{ text: "two" }], usage: { inputTokens: 10, outputTokens: 50, cacheReadInputTokens: 2000, cacheWriteInputTokens: 100, cacheDetails: [{ ttl: "5m", inputTokens: 100 }] } },
  );
  await chat.send("first");
  await chat.waitIdle();
  await chat.send("second");
  await chat.waitIdle();
  await chat.page.goto(stack.url + "/admin");
  const table = chat.page.getByRole("table", { name: "By user and model", exact: true });
  await expect(table.getByRole("columnheader")).toHaveText(["User", "Model", "Calls", "Input tokens", "Output tokens", "Read from cache", "Written to cache", "Cost", "Without caching"]);
  await expect(table.getByRole("row").nth(1).getByRole("cell")).toHaveText(["local", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "2", "110", "100", "2,000", "2,100", "$0.010305", "$0.01413"]);
  await expect(chat.page.getByText("Prompt caching saved $0.003825 of $0.01413 in this period.", { exact: true })).toBeVisible();
  await table.evaluate((t) => t.scrollIntoView({ block: "center" }));
  await chat.screenshot("admin-usage-caching");
});

test("the admin Usage page names the caching profiles whose config lacks cache prices", async ({ page }) => {
  const models = (JSON.parse(readFileSync(BUNDLED_CONFIG_PATH, "utf8")) as { bedrock_models: Record<string, Record<string, any>> }).bedrock_models;
  delete models["Amazon Nova Pro"]!["cost"].cache_read_1k_price;
  delete models["Amazon Nova Pro"]!["cost"].cache_write_1k_price;
  const server = await startChatServer({ webRoot: join(ROOT, "web", "dist"), configPatch: { bedrock_models: models } });
  try {
    await page.goto(server.url + "/admin");
    const note = page.getByRole("note").filter({ hasText: "cache prompts but config.json gives no price" });
    await expect(note).toBeVisible();
    await expect(note.getByRole("listitem")).toHaveText(["Amazon Nova Pro (us.amazon.nova-pro-v1:0): no cache_read_1k_price, cache_write_1k_price"]);
  } finally {
    server.app.server.closeAllConnections();
    await server.close();
  }
});
