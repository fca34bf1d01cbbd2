/// <reference lib="dom" />
import { expect, test } from "./fixtures.js";

/** Settings beside the conversation on a wide screen, a dialog on a phone; Streaming in "Advanced" (issue 12). */

test("on a wide screen Settings opens beside the conversation, which stays usable; Esc closes it", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 1440, height: 900 });
  await chat.open();
  await chat.send("Before the settings");
  await chat.waitIdle();
  const settingsButton = chat.button("Settings");
  await settingsButton.click();
  const panel = chat.page.getByRole("dialog", { name: "Settings", exact: true });
  await expect(panel).toBeVisible();
  await expect(settingsButton).toHaveAttribute("aria-expanded", "true");
  // Beside, not over: the conversation and the message box end where the panel begins.
  const panelBox = (await panel.boundingBox())!;
  const conversation = (await chat.conversation.boundingBox())!;
  const composer = (await chat.composer.boundingBox())!;
  expect(panelBox.x + panelBox.width).toBeCloseTo(1440, 0);
  expect(panelBox.height).toBeCloseTo(900, 0);
  expect(conversation.x + conversation.width).toBeLessThanOrEqual(panelBox.x + 1);
  expect(composer.x + composer.width).toBeLessThanOrEqual(panelBox.x);
  // The header keeps one row beside it.
  expect((await chat.page.locator("main header").boundingBox())!.height).toBeLessThan(70);
  // Focus moved into the panel; the chat can be used while it is open, and a change applies to the next message.
  await expect(panel.locator(":focus")).toHaveCount(1);
  await panel.getByRole("spinbutton", { name: "Max tokens", exact: true }).fill("12000");
  await panel.getByRole("spinbutton", { name: "Max tokens", exact: true }).press("Enter");
  await chat.screenshot("settings-panel");
  await chat.send("With the panel open");
  await chat.waitIdle();
  await expect(panel).toBeVisible();
  expect(chat.stack.emulator.requests.at(-1)!.body["inferenceConfig"]).toMatchObject({ maxTokens: 12000 });

  // Streaming is in the Advanced group, closed at first; turning it off sends the next message without streaming.
  const streaming = panel.getByRole("switch", { name: "Streaming", exact: true });
  await expect(streaming).toBeHidden();
  await panel.getByText("Advanced", { exact: true }).click();
  await expect(streaming).toHaveAttribute("aria-checked", "true");
  await streaming.click();
  await chat.screenshot("settings-panel-advanced");
  await chat.send("Not streamed");
  await chat.waitIdle();
  expect(chat.stack.emulator.requests.at(-1)!.operation).toBe("converse");

  // Esc closes it and focus goes back to the Settings button; the conversation takes the width again.
  await panel.getByRole("switch", { name: "Show cost", exact: true }).focus();
  await chat.page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(settingsButton).toBeFocused();
  expect((await chat.conversation.boundingBox())!.x + (await chat.conversation.boundingBox())!.width).toBeGreaterThan(1400);
  // The Settings button toggles it.
  await settingsButton.click();
  await expect(panel).toBeVisible();
  await settingsButton.click();
  await expect(panel).toBeHidden();
});

test("on a phone Settings is a dialog over the chat, focus kept inside", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.open();
  await chat.button("Settings").click();
  const dialog = chat.page.getByRole("dialog", { name: "Settings", exact: true });
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  // Modal: Tab from the last control wraps to the first inside the dialog.
  await dialog.getByRole("button", { name: "Close", exact: true }).focus();
  await chat.page.keyboard.press("Tab");
  await expect(dialog.locator(":focus")).toHaveCount(1);
  await chat.screenshot("settings-phone");
  await chat.page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

const cachePoints = (body: Record<string, any>) => JSON.stringify(body).split('"cachePoint"').length - 1;

test("Prompt caching is a switch in Advanced for a profile that caches, not for one that does not; off, no checkpoint is sent", async ({ chat }) => {
  await chat.open();
  // A thread first (starting one moves to its page, which closes the panel).
  await chat.send("A first question");
  await chat.waitIdle();
  // The default profile, Claude 3.7 Sonnet, caches: the switch is in the Advanced group, on.
  await chat.button("Settings").click();
  const panel = chat.page.getByRole("dialog", { name: "Settings", exact: true });
  const caching = panel.getByRole("switch", { name: "Prompt caching", exact: true });
  await expect(caching).toBeHidden();
  await panel.getByText("Advanced", { exact: true }).click();
  await expect(caching).toHaveAttribute("aria-checked", "true");
  await expect(caching).toHaveAccessibleDescription("Reuse the start of the conversation from turn to turn: cheaper and faster answers.");
  await panel.getByRole("switch", { name: "Show cost", exact: true }).click();

  // On: the request carries checkpoints; the answer's cost line tells the cache's tokens.
  chat.stack.emulator.enqueue({ blocks: [{ text: "Cached answer" }], usage: { inputTokens: 12, outputTokens: 3, cacheReadInputTokens: 1200, cacheWriteInputTokens: 30, cacheDetails: [{ ttl: "5m", inputTokens: 30 }] } });
  await chat.send("With caching");
  await chat.waitIdle();
  expect(cachePoints(chat.stack.emulator.requests.at(-1)!.body)).toBeGreaterThan(0);
  await expect(chat.answers.last()).toContainText("12 in / 3 out tokens · 1,200 tokens read from cache, 30 written · $");

  // Off: saved with the chat, and the next request has none.
  await caching.click();
  await expect(caching).toHaveAttribute("aria-checked", "false");
  await chat.screenshot("settings-prompt-caching");
  await chat.send("Without caching");
  await chat.waitIdle();
  expect(cachePoints(chat.stack.emulator.requests.at(-1)!.body)).toBe(0);
  await expect(chat.answers.last()).not.toContainText("read from cache");

  // A profile without caching has no such switch (Streaming is still there).
  await chat.page.keyboard.press("Escape");
  await chat.button("New chat").click();
  await chat.selectProfile("Meta Llama 4 Scout");
  await chat.button("Settings").click();
  await panel.getByText("Advanced", { exact: true }).click();
  await expect(panel.getByRole("switch", { name: "Streaming", exact: true })).toBeVisible();
  await expect(panel.getByRole("switch", { name: "Prompt caching", exact: true })).toHaveCount(0);
});
