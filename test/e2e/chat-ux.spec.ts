/// <reference lib="dom" />
import { expect, test } from "./fixtures.js";

/** The chat's keyboard and reading comforts (issue 12): skip link, shortcuts, Edit with Enter, Jump to latest, one Retry. */

test("the skip link is the first Tab stop and leads to the conversation", async ({ chat }) => {
  await chat.open();
  await chat.send("Hello");
  await chat.waitIdle();
  // The first Tab stop in the page's order (the message box has the focus after load, so ask the page itself).
  const first = await chat.page.evaluate(() => {
    const all = Array.from(document.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'));
    return all.find((el) => el.tabIndex >= 0)?.textContent;
  });
  expect(first).toBe("Skip to conversation");
  const skip = chat.page.getByRole("link", { name: "Skip to conversation", exact: true });
  await chat.composer.press("Shift+Tab");
  await skip.focus();
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await chat.screenshot("skip-link");
  await chat.page.keyboard.press("Enter");
  await expect(chat.conversation).toBeFocused();
});

test("shortcuts: the list (focus stays inside it), search, the message box, copy the last answer, new chat", async ({ chat, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await chat.open();
  await chat.send("Copy me");
  await chat.waitIdle();
  await expect(chat.answers.last()).toContainText("Echo: Copy me");

  await chat.page.keyboard.press("Control+/");
  const dialog = chat.page.getByRole("dialog", { name: "Keyboard shortcuts", exact: true });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("New chat");
  await expect(dialog).toContainText("Ctrl + Shift + O");
  await chat.screenshot("shortcuts");
  // Tab from the last control comes back to the first, inside the dialog.
  const close = dialog.getByRole("button", { name: "Close", exact: true });
  await close.focus();
  await chat.page.keyboard.press("Tab");
  await expect(dialog.locator(":focus")).toHaveCount(1);
  await chat.page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  await chat.page.keyboard.press("Control+k");
  await expect(chat.page.getByRole("searchbox", { name: "Search threads", exact: true })).toBeFocused();
  await chat.page.keyboard.press("Shift+Escape");
  await expect(chat.composer).toBeFocused();
  await chat.page.keyboard.press("Control+Shift+C");
  await expect.poll(() => chat.page.evaluate(() => navigator.clipboard.readText())).toBe("Echo: Copy me");
  // Shortcuts do not type: the message box stays empty.
  await expect(chat.composer).toHaveValue("");

  const threadUrl = chat.page.url();
  expect(threadUrl).toMatch(/\/t\//);
  await chat.page.keyboard.press("Control+Shift+O");
  await expect(chat.page).toHaveURL(chat.stack.url + "/");
  await expect(chat.composer).toBeFocused();
});

test("Edit: Enter saves and sends, Shift+Enter adds a line, Esc cancels", async ({ chat }) => {
  await chat.open();
  await chat.send("first version");
  await chat.waitIdle();
  const question = chat.questions.first();
  await question.hover();
  await question.getByRole("button", { name: "Edit", exact: true }).click();
  const box = chat.page.getByRole("textbox", { name: "Edit message", exact: true });
  await box.press("Escape");
  await expect(box).toHaveCount(0);
  await question.hover();
  await question.getByRole("button", { name: "Edit", exact: true }).click();
  await box.fill("second");
  await box.press("Shift+Enter");
  await box.pressSequentially("line");
  await expect(box).toHaveValue("second\nline");
  await box.press("Enter");
  await chat.waitIdle();
  await expect(chat.answers.last()).toContainText("Echo: second\nline");
  await expect(chat.page.getByText("2 / 2").first()).toBeVisible();
});

test("the view follows the answer; scrolled up, Jump to latest brings the reader back", async ({ chat }) => {
  await chat.open();
  const long = Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of a long answer.`).join("\n\n");
  chat.stack.emulator.enqueue({ blocks: [{ reasoning: "Long." }, { text: long }], deltas: 40, delayMs: 40 });
  await chat.send("Write a lot");
  await chat.waitIdle();
  const jump = chat.button("Jump to latest");
  await expect(jump).toHaveCount(0);
  await chat.conversation.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(jump).toBeVisible();
  await chat.screenshot("jump-to-latest");
  await jump.click();
  await expect(jump).toHaveCount(0);
  await expect(chat.answers.last().getByText("Line 80 of a long answer.", { exact: true })).toBeInViewport();
});

test("a failed answer offers one Retry; every answer names its model", async ({ chat, stack }) => {
  await chat.open();
  stack.emulator.enqueue({ error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } });
  await chat.send("Try this");
  await chat.waitIdle();
  const answer = chat.answers.last();
  await expect(answer.getByRole("button", { name: "Retry", exact: true })).toHaveCount(1);
  await expect(answer.getByRole("button", { name: "Regenerate", exact: true })).toHaveCount(0);
  await answer.getByRole("button", { name: "Retry", exact: true }).click();
  await chat.waitIdle();
  await expect(chat.answers.last()).toContainText("Echo: Try this");
  const model = chat.answers.last().getByText("Claude 3.7 Sonnet", { exact: true });
  await expect(model).toBeVisible();
  await expect(model).toHaveAttribute("title", /anthropic\.claude/);
});

test("on a phone a wide table in an answer scrolls sideways and keeps its words whole", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.open();
  const row = "| Internationalization | Responsibilities | Characteristically | Telecommunications | Incomprehensibility |";
  chat.stack.emulator.enqueue({ blocks: [{ reasoning: "A table." }, { text: `${row}\n|---|---|---|---|---|\n${row}\n` }] });
  await chat.send("A wide table");
  await chat.waitIdle();
  const wrap = chat.answers.last().locator("table").locator("..");
  const { scrolls, broken } = await wrap.evaluate((el) => ({
    scrolls: el.scrollWidth > el.clientWidth,
    // Each cell is one word: a cell taller than one line has broken it.
    broken: Array.from(el.querySelectorAll("td")).filter((td) => td.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(td).lineHeight || "20")).length,
  }));
  expect(scrolls).toBe(true);
  expect(broken).toBe(0);
  await chat.screenshot("table-phone");
});

test("on a phone the header is one row: the menu, the profile picker and icon buttons with their names", async ({ chat }) => {
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.open();
  const header = chat.page.locator("main header");
  expect((await header.boundingBox())!.height).toBeLessThan(70);
  for (const name of ["Show threads", "New chat", "MCP servers", "Settings"]) {
    const box = (await chat.button(name).boundingBox())!;
    expect(box.width, name).toBeGreaterThanOrEqual(44);
    expect(box.height, name).toBeGreaterThanOrEqual(44);
  }
  await chat.send("Hello");
  await chat.waitIdle();
  await chat.button("New chat").click();
  await expect(chat.page).toHaveURL(chat.stack.url + "/");
  await chat.screenshot("header-phone");
});

test("instant send: the question and a working answer show before the server answers, in a new chat and after", async ({ chat }) => {
  await chat.open();
  // The server takes its time (every POST that starts an answer is held for 1.5 s) and so does the model.
  let release: () => void = () => undefined;
  await chat.page.route(/\/api\/threads(\/[0-9a-f]+\/messages)?$/, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    await new Promise<void>((resolve) => {
      release = resolve;
      setTimeout(resolve, 1500);
    });
    await route.continue();
  });
  chat.stack.emulator.enqueue({ blocks: [{ reasoning: "Hm." }, { text: "First answer." }], firstByteDelayMs: 300 });
  const sent = Date.now();
  await chat.send("A question in a new chat");
  await expect(chat.questions.last()).toContainText("A question in a new chat", { timeout: 1000 });
  await expect(chat.answers.last().getByRole("status", { name: "Working…" })).toBeVisible({ timeout: 1000 });
  expect(Date.now() - sent).toBeLessThan(1400);
  await expect(chat.composer).toHaveValue("");
  await chat.screenshot("instant-send");
  release();
  await chat.waitIdle();
  await expect(chat.answers.last()).toContainText("First answer.");
  await expect(chat.page).toHaveURL(/\/t\/[0-9a-f]+$/);

  chat.stack.emulator.enqueue({ blocks: [{ reasoning: "Hm." }, { text: "Second answer." }], firstByteDelayMs: 300 });
  await chat.send("And a follow-up");
  await expect(chat.questions.last()).toContainText("And a follow-up", { timeout: 1000 });
  await expect(chat.answers.last().getByRole("status", { name: "Working…" })).toBeVisible({ timeout: 1000 });
  release();
  await chat.waitIdle();
  await expect(chat.answers.last()).toContainText("Second answer.");
  await expect(chat.questions).toHaveCount(2);
});

test("a send that fails gives the text back to the box, says why and offers Retry", async ({ chat }) => {
  await chat.open();
  await chat.send("Kept question");
  await chat.waitIdle();
  await chat.page.route("**/api/threads/*/messages", (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "unavailable", message: "The server is busy." } }) }));
  await chat.send("This one fails");
  await expect(chat.page.getByRole("alert").filter({ hasText: "The server is busy." })).toBeVisible();
  await expect(chat.composer).toHaveValue("This one fails");
  await expect(chat.questions).toHaveCount(1);
  await chat.page.unroute("**/api/threads/*/messages");
  await chat.page.getByRole("alert").filter({ hasText: "The server is busy." }).getByRole("button", { name: "Retry", exact: true }).click();
  await chat.waitIdle();
  await expect(chat.questions).toHaveCount(2);
  await expect(chat.answers.last()).toContainText("Echo: This one fails");
});

test("Settings: each slider has a number box; a typed Max tokens and Thinking budget reach the request", async ({ chat }) => {
  await chat.open();
  await chat.button("Settings").click();
  const dialog = chat.page.getByRole("dialog", { name: "Settings", exact: true });
  await expect(dialog).toContainText("These settings belong to this chat");
  const maxTokens = dialog.getByRole("spinbutton", { name: "Max tokens", exact: true });
  await maxTokens.fill("12000");
  await maxTokens.press("Enter");
  await expect(dialog.getByRole("slider", { name: "Max tokens", exact: true })).toHaveValue(/^1\d{4}$/);
  const budget = dialog.getByRole("spinbutton", { name: "Thinking budget", exact: true });
  await budget.fill("8000");
  await budget.press("Tab");
  // Out of range is kept within it.
  await maxTokens.fill("99999999");
  await maxTokens.press("Tab");
  const max = await dialog.getByRole("slider", { name: "Max tokens", exact: true }).getAttribute("max");
  await expect(maxTokens).toHaveValue(max!);
  await maxTokens.fill("12000");
  await maxTokens.press("Enter");
  await expect(dialog).toContainText("Default:");
  await chat.screenshot("settings-number-boxes");
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await chat.send("With exact numbers");
  await chat.waitIdle();
  const body = chat.stack.emulator.requests.at(-1)!.body as { inferenceConfig: { maxTokens: number }; additionalModelRequestFields: { thinking: { budget_tokens: number } } };
  expect(body.inferenceConfig.maxTokens).toBe(12000);
  expect(body.additionalModelRequestFields.thinking.budget_tokens).toBe(8000);
});
