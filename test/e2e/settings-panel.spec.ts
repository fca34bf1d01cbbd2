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
