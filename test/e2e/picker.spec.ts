/// <reference lib="dom" />
import { expect, test } from "./fixtures.js";

/** The model picker, the empty chat and "Regenerate with…" (issue 12), on the bundled config.example.json. */

test("the picker is searchable and keyboard operable: type to filter, arrows, Enter; grouped by provider with facts", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 1440, height: 900 });
  await chat.open();
  const picker = chat.profilePicker;
  await expect(picker).toHaveText("Claude 3.7 Sonnet");
  await picker.focus();
  await chat.page.keyboard.press("Enter");
  const search = chat.page.getByRole("combobox", { name: "Search profiles", exact: true });
  await expect(search).toBeFocused();
  const list = chat.page.getByRole("listbox", { name: "Chat profiles", exact: true });
  // Grouped by the config's providers, in config order.
  const groups = await list.getByRole("group").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  expect(groups).toEqual(["Anthropic", "Amazon", "Meta", "Writer", "Mistral AI", "OpenAI", "DeepSeek", "Qwen"]);
  // Each profile shows its capabilities, context window and price per million tokens (config: 0.0008 / 0.0032 per 1K).
  const novaPro = list.getByRole("option", { name: "Amazon Nova Pro", exact: true });
  await expect(novaPro).toHaveAccessibleDescription("vision · documents · tools · 300K context · $0.8 in / $3.2 out per M tokens");
  await expect(list.getByRole("option", { name: "Claude 3.7 Sonnet", exact: true })).toHaveAttribute("aria-selected", "true");
  await chat.screenshot("picker-open");

  // Typing filters; the first match is active; the arrows move; Enter picks.
  await search.pressSequentially("nova");
  await expect(list.getByRole("option")).toHaveText([/^Amazon Nova Premier/, /^Amazon Nova Pro/, /^Amazon Nova Lite/, /^Amazon Nova Micro/]);
  await expect(search).toHaveAttribute("aria-activedescendant", (await list.getByRole("option").first().getAttribute("id"))!);
  await chat.page.keyboard.press("ArrowDown");
  await expect(search).toHaveAttribute("aria-activedescendant", (await novaPro.getAttribute("id"))!);
  await chat.screenshot("picker-filtered");
  await chat.page.keyboard.press("Enter");
  await expect(list).toBeHidden();
  await expect(picker).toHaveText("Amazon Nova Pro");
  await expect(picker).toBeFocused();

  // No match says so; Esc closes without a change and gives focus back.
  await chat.page.keyboard.press("ArrowDown");
  await search.fill("gpt-9");
  await expect(list).toContainText('No profile matches "gpt-9".');
  await chat.page.keyboard.press("Escape");
  await expect(list).toBeHidden();
  await expect(picker).toBeFocused();
  await expect(picker).toHaveText("Amazon Nova Pro");

  // The choice reaches the request.
  await chat.send("Hello Nova");
  await chat.waitIdle();
  expect(chat.stack.emulator.requests.at(-1)!.modelId).toBe("us.amazon.nova-pro-v1:0");
});

test("an empty chat shows the app's name, the chosen profile and starter prompts that fill the message box", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 1440, height: 900 });
  await chat.open();
  const main = chat.page.locator("main");
  await expect(main).toContainText("Foundational LLM Chat");
  await expect(main).toContainText("Chatting with Claude 3.7 Sonnet (Anthropic)");
  const starters = chat.page.getByRole("list", { name: "Suggestions", exact: true }).getByRole("button");
  await expect(starters).toHaveText(["Explain a concept simply", "Improve a piece of writing", "Summarize a document", "Review some code"]);
  await chat.screenshot("empty-state");
  await chat.composer.fill("Draft kept:");
  await starters.first().click();
  // What was typed stays; the suggestion follows it, and the box has the focus.
  await expect(chat.composer).toHaveValue("Draft kept:\n\nExplain how public-key cryptography works, as if I were new to it.");
  await expect(chat.composer).toBeFocused();
  await chat.composer.fill("");
  await starters.nth(1).click();
  await expect(chat.composer).toHaveValue("Make this email clearer and more concise, keeping its tone:\n\n");

  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.composer.fill("");
  await chat.screenshot("empty-state-phone");
});

test("Regenerate with… writes a new version with another profile, and its list stays on screen", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 1440, height: 900 });
  await chat.open();
  await chat.send("Which model are you?");
  await chat.waitIdle();
  const answer = chat.answers.last();
  await answer.hover();
  await answer.getByRole("button", { name: "Regenerate with…", exact: true }).click();
  const list = chat.page.getByRole("listbox", { name: "Regenerate with…", exact: true });
  await expect(list).toBeVisible();
  // 21 profiles near the bottom of the screen: the list opens upward and scrolls inside the window.
  const box = (await chat.page.locator("[role=listbox]").locator("..").boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(900);
  await chat.screenshot("regenerate-with");
  await chat.page.getByRole("combobox", { name: "Search profiles", exact: true }).fill("haiku 4.5");
  await chat.page.keyboard.press("Enter");
  await chat.waitIdle();
  expect(chat.stack.emulator.requests.at(-1)!.modelId).toBe("global.anthropic.claude-haiku-4-5-20251001-v1:0");
  await expect(answer).toContainText("2 / 2");
  await expect(answer.getByText("Claude Haiku 4.5", { exact: true })).toBeVisible();
  // The thread goes on with the profile that wrote the new version.
  await expect(chat.profilePicker).toHaveText("Claude Haiku 4.5");

  // On a phone the list fits the screen too.
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await answer.getByRole("button", { name: "Regenerate with…", exact: true }).click();
  const phoneBox = (await chat.page.locator("[role=listbox]").locator("..").boundingBox())!;
  expect(phoneBox.x).toBeGreaterThanOrEqual(0);
  expect(phoneBox.x + phoneBox.width).toBeLessThanOrEqual(390);
  expect(phoneBox.y).toBeGreaterThanOrEqual(0);
  expect(phoneBox.y + phoneBox.height).toBeLessThanOrEqual(844);
  await chat.screenshot("regenerate-with-phone");
  await chat.page.keyboard.press("Escape");
  await expect(list).toBeHidden();
});
