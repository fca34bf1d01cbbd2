/// <reference lib="dom" />
import type { Locator } from "@playwright/test";
import { signReasoning } from "../emulator/faults.js";
import { expect, test } from "./fixtures.js";
import { withoutCachePoints } from "../helpers/cache-points.js";

test("sends a message and the answer arrives incrementally", async ({ chat, stack }) => {
  stack.emulator.enqueue({ blocks: [{ text: "The quick brown fox jumps over the lazy dog again and again." }], deltas: 12, delayMs: 120, modelId: "us.amazon.nova-pro-v1:0" });
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  await chat.send("Tell me about foxes");
  await expect(chat.questions.first()).toContainText("Tell me about foxes");
  const answer = chat.answers.first();
  // Part of the answer is on screen while the rest is still coming.
  await expect(answer).toContainText("The quick");
  await expect(chat.button("Stop")).toBeVisible();
  expect(await answer.innerText()).not.toContain("again and again.");
  await chat.screenshot("streaming");
  await expect(answer).toContainText("jumps over the lazy dog again and again.");
  await chat.waitIdle();
  await expect(chat.page).toHaveURL(/\/t\/\w+$/);
  await chat.screenshot("answered");
});

test("the thinking step is live while the model thinks, then collapsed with its duration", async ({ chat, stack }) => {
  stack.emulator.enqueue({ blocks: [{ reasoning: "Let me consider the options carefully, one by one, before answering." }, { text: "Here is my answer." }], deltas: 10, delayMs: 150 });
  await chat.open();
  await chat.send("Think about it");
  const thinking = chat.answers.first().getByRole("button", { name: "Thinking", exact: true });
  await expect(thinking).toHaveAttribute("aria-expanded", "true");
  await expect(chat.answers.first()).toContainText("Let me consider");
  await chat.screenshot("thinking-live");
  await expect(chat.answers.first()).toContainText("Here is my answer.");
  await expect(thinking).toHaveAttribute("aria-expanded", "false");
  await expect(chat.answers.first()).toContainText(/Thought for (\d+ s|less than a second)/);
  await thinking.click();
  await expect(thinking).toHaveAttribute("aria-expanded", "true");
  await chat.screenshot("thinking-done");
});

test("Stop keeps the partial answer, also after a reload", async ({ chat, stack }) => {
  stack.emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight nine ten eleven twelve" }], deltas: 12, delayMs: 200, modelId: "us.amazon.nova-pro-v1:0" });
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  await chat.send("Count");
  await expect(chat.answers.first()).toContainText("one two");
  await chat.button("Stop").click();
  await chat.waitIdle();
  await expect(chat.answers.first()).toContainText("Stopped");
  const partial = (await chat.answers.first().innerText()).split("\n").find((l) => l.startsWith("one"))!;
  expect(partial).not.toContain("twelve");
  await chat.page.reload();
  await expect(chat.answers.first()).toContainText(partial);
  await expect(chat.answers.first()).toContainText("Stopped");
});

test("a reload in the middle of an answer resumes the stream", async ({ chat, stack }) => {
  stack.emulator.enqueue({ blocks: [{ text: "alpha beta gamma delta epsilon zeta eta theta iota kappa" }], deltas: 10, delayMs: 250, modelId: "us.amazon.nova-pro-v1:0" });
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  await chat.send("Greek letters");
  await expect(chat.answers.first()).toContainText("alpha");
  await chat.page.reload();
  await expect(chat.button("Stop")).toBeVisible();
  await expect(chat.answers.first()).toContainText("alpha beta gamma delta epsilon zeta eta theta iota kappa");
  await chat.waitIdle();
});

test("settings change the request Bedrock receives", async ({ chat, stack }) => {
  await chat.open();
  await chat.button("Settings").click();
  const dialog = chat.page.getByRole("dialog", { name: "Settings", exact: true });
  await expect(dialog.getByRole("slider", { name: "Temperature", exact: true })).toBeDisabled();
  await dialog.getByRole("switch", { name: "Enable thinking", exact: true }).click();
  await dialog.getByRole("slider", { name: "Temperature", exact: true }).fill("0.3");
  // The slider moves in the profile's steps (maxTokens.step, 64) from its minimum (1): 1000 is not a stop, 1025 is.
  await dialog.getByRole("slider", { name: "Max tokens", exact: true }).fill("1025");
  await dialog.getByRole("textbox", { name: "System prompt", exact: true }).fill("Answer like a pirate on {{TODAY}}.");
  await dialog.getByRole("switch", { name: "Show cost", exact: true }).click();
  await chat.screenshot("settings");
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await chat.send("Ahoy");
  await chat.waitIdle();
  // Checkpoints aside (the bundled Claude profile caches; test/e2e/settings-panel.spec.ts covers them).
  const request = { body: withoutCachePoints(stack.emulator.requests.at(-1)!.body) };
  expect(request.body["inferenceConfig"]).toEqual({ maxTokens: 1025, temperature: 0.3 });
  expect(request.body["additionalModelRequestFields"]).toBeUndefined();
  expect(request.body["system"]).toEqual([{ text: expect.stringMatching(/^Answer like a pirate on \d{4}-\d{2}-\d{2}\.$/) }]);
  await expect(chat.answers.first()).toContainText(/\d+ in \/ \d+ out tokens · \$0\.\d+/);
  await expect(chat.page.getByText(/^Thread cost: \$0\.\d+$/)).toBeVisible();
});

test("an error shows inline with Retry, and Retry succeeds; a refused send keeps the draft", async ({ chat, stack }) => {
  stack.emulator.enqueue({ error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } });
  await chat.open();
  await chat.send("Try this");
  const alert = chat.answers.first().getByRole("alert");
  await expect(alert).toContainText("Bedrock is throttling requests");
  await chat.screenshot("error");
  await alert.getByRole("button", { name: "Retry", exact: true }).click();
  await expect(chat.answers.first()).toContainText("Echo: Try this");
  await expect(chat.answers).toHaveCount(1);

  // A message the server refuses stays in the composer, with the reason, and Retry sends it.
  await chat.waitIdle();
  await chat.composer.fill("a draft that must survive");
  await chat.page.route("**/api/threads/*/messages", (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "unavailable", message: "The server is busy." } }) }));
  await chat.button("Send").click();
  await expect(chat.page.getByRole("alert").filter({ hasText: "The server is busy." })).toBeVisible();
  await expect(chat.composer).toHaveValue("a draft that must survive");
  await chat.page.unroute("**/api/threads/*/messages");
  await chat.page.getByRole("alert").filter({ hasText: "The server is busy." }).getByRole("button", { name: "Retry", exact: true }).click();
  await expect(chat.questions.last()).toContainText("a draft that must survive");
  await chat.waitIdle();
  await expect(chat.composer).toHaveValue("");
});

test("the draft survives a reload", async ({ chat }) => {
  await chat.open();
  await chat.composer.fill("half-written thought");
  await chat.page.waitForTimeout(600);
  await chat.page.reload();
  await expect(chat.composer).toHaveValue("half-written thought");
});

test("threads: rename, search, delete", async ({ chat, stack }) => {
  await chat.open();
  await chat.send("Penguins of Antarctica");
  await expect(chat.answers.first()).toContainText("Echo: Penguins of Antarctica");
  await chat.waitIdle();
  await chat.button("New chat").click();
  await chat.send("Lasagna recipe");
  await expect(chat.answers.first()).toContainText("Echo: Lasagna recipe");
  await chat.waitIdle();
  const threads = chat.page.getByRole("navigation", { name: "Threads", exact: true });
  await expect(threads.getByRole("link")).toHaveCount(2);
  await expect(threads.getByRole("link").first())
    .toHaveText("Lasagna recipe")
    .catch(async (error: unknown) => {
      const server = await (await fetch(`${stack.url}/api/threads`)).json();
      throw new Error(`${String(error)}\nserver titles: ${JSON.stringify(server)}`);
    });

  await threads.getByRole("button", { name: "Thread options", exact: true }).first().click();
  await chat.page.getByRole("menuitem", { name: "Rename", exact: true }).click();
  const title = chat.page.getByRole("textbox", { name: "Thread title", exact: true });
  await title.fill("Dinner plans");
  await title.press("Enter");
  await expect(threads.getByRole("link", { name: "Dinner plans", exact: true })).toBeVisible();

  const search = chat.page.getByRole("searchbox", { name: "Search threads", exact: true });
  await search.fill("antarc");
  await expect(threads.getByRole("link")).toHaveCount(1);
  await expect(threads.getByRole("link")).toHaveText("Penguins of Antarctica");
  await search.fill("");
  await expect(threads.getByRole("link")).toHaveCount(2);
  await chat.screenshot("threads");

  await threads.getByRole("button", { name: "Thread options", exact: true }).first().click();
  await chat.page.getByRole("menuitem", { name: "Delete", exact: true }).click();
  const confirm = chat.page.getByRole("dialog", { name: "Delete thread", exact: true });
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(threads.getByRole("link")).toHaveCount(1);
  await expect(threads.getByRole("link")).toHaveText("Penguins of Antarctica");
});

test("works with the keyboard alone: type, Enter sends, Shift+Enter adds a line", async ({ chat }) => {
  await chat.open();
  // The keys are told to screen-reader users as the box's description (the placeholder stays short on phones).
  await expect(chat.composer).toHaveAccessibleDescription("Enter sends, Shift+Enter starts a new line, Escape stops the answer.");
  await chat.composer.focus();
  await chat.page.keyboard.type("line one");
  await chat.page.keyboard.press("Shift+Enter");
  await chat.page.keyboard.type("line two");
  await chat.page.keyboard.press("Enter");
  await expect(chat.questions.first()).toContainText("line one\nline two");
  await expect(chat.answers.first()).toContainText("Echo: line one");
  await chat.waitIdle();
  // Tab reaches the message actions.
  await chat.page.keyboard.press("Shift+Tab");
  await expect(chat.page.locator(":focus")).toBeVisible();
});

test("edit and regenerate make versions you can switch between", async ({ chat }) => {
  await chat.open();
  await chat.send("original question");
  await chat.waitIdle();
  await chat.answers.first().getByRole("button", { name: "Regenerate", exact: true }).click();
  await chat.waitIdle();
  await expect(chat.answers.first()).toContainText("2 / 2");
  await chat.answers.first().getByRole("button", { name: "Previous version", exact: true }).click();
  await expect(chat.answers.first()).toContainText("1 / 2");
  await chat.questions.first().getByRole("button", { name: "Edit", exact: true }).click();
  await chat.page.getByRole("textbox", { name: "Edit message", exact: true }).fill("edited question");
  await chat.page.getByRole("button", { name: "Save and send", exact: true }).click();
  await expect(chat.answers.first()).toContainText("Echo: edited question");
  await chat.waitIdle();
  await expect(chat.questions.first()).toContainText("2 / 2");
  await chat.screenshot("versions");
});

test("a 375 px phone screen is fully usable", async ({ chat, page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await chat.open();
  await chat.send("Hello from a phone");
  await expect(chat.answers.first()).toContainText("Echo: Hello from a phone");
  await chat.waitIdle();
  const threads = page.getByRole("navigation", { name: "Threads", exact: true });
  await expect(threads).toBeHidden();
  await chat.button("Show threads").click();
  await expect(threads.getByRole("link")).toHaveCount(1);
  await page.waitForTimeout(300); // the drawer's slide-in
  await chat.screenshot("phone-drawer");
  await threads.getByRole("link").first().click();
  await expect(threads).toBeHidden();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await chat.screenshot("phone");
});

test("dark theme", async ({ chat, page }) => {
  await chat.open();
  await page.getByRole("combobox", { name: "Theme", exact: true }).selectOption("Dark");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await chat.send("Show me `code` in the dark\n\n```python\nprint('hi')\n```");
  await chat.waitIdle();
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(22, 24, 28)");
  // Titles from the first words drop the markdown syntax (title generation is off here).
  await expect(page.getByRole("navigation", { name: "Threads", exact: true }).getByRole("link", { name: "Show me code in the dark", exact: true })).toBeVisible();
  await chat.screenshot("dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
});

test("a very large paste becomes a pasted-text chip: typing stays fast and it is sent with the message", async ({ chat, stack, page }) => {
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  await chat.composer.focus();
  const big = "line of pasted text\n".repeat(3000);
  await page.evaluate((text) => {
    const el = document.querySelector("textarea")!;
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
    el.dispatchEvent(event);
  }, big);
  await expect(page.getByText("Pasted text (59 KB)")).toBeVisible();
  await expect(chat.composer).toHaveValue("");
  await chat.page.keyboard.type("Summarize this:");
  await chat.screenshot("large-paste");
  await chat.button("Send").click();
  await chat.waitIdle();
  const sent = (stack.emulator.requests.at(-1)!.body["messages"] as { content: { text: string }[] }[])[0]!.content[0]!.text;
  expect(sent).toBe(`Summarize this:\n\n${big}`);
  // The long message is shown collapsed, expandable.
  await expect(chat.questions.first().getByRole("button", { name: "Show all", exact: true })).toBeVisible();
  await expect(page.getByText(/^Pasted text/)).toBeHidden();
});

test("model output cannot run code: raw HTML is text, javascript: and data: links are not followed", async ({ chat, stack, page }) => {
  stack.emulator.enqueue({
    blocks: [{ text: 'Look: <img src="x" onerror="window.__pwned = 1"> and <script>window.__pwned = 2</script>\n\n[click me](javascript:window.__pwned=3) [data](data:text/html,<script>alert(1)</script>) [safe](https://example.com)\n\n- [x] done task\n\n| h |\n|---|\n| c |' }],
  });
  await chat.open();
  await chat.send("Render this");
  const answer = chat.answers.first();
  await expect(answer).toContainText('<img src="x" onerror="window.__pwned = 1">');
  await expect(answer.locator("img")).toHaveCount(0);
  await expect(answer.getByRole("link", { name: "safe", exact: true })).toHaveAttribute("href", "https://example.com");
  await expect(answer.getByRole("link", { name: "safe", exact: true })).toHaveAttribute("rel", /noopener/);
  for (const name of ["click me", "data"]) {
    const href = await answer.getByText(name, { exact: true }).getAttribute("href");
    expect(href ?? "").not.toMatch(/^(javascript|data):/);
  }
  await answer.getByText("click me", { exact: true }).click();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(answer.getByRole("checkbox")).toBeChecked();
  await expect(answer.getByRole("table")).toBeVisible();
});

test("text contrast meets WCAG AA (4.5:1) in the light and the dark theme", async ({ chat, page }) => {
  await chat.open();
  for (const theme of ["Light", "Dark"]) {
    await page.getByRole("combobox", { name: "Theme", exact: true }).selectOption(theme);
    const ratios = await page.evaluate(() => {
      const style = getComputedStyle(document.documentElement);
      const hex = (name: string) => style.getPropertyValue(name).trim();
      const luminance = (color: string) => {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const ratio = (a: string, b: string) => {
        const [x, y] = [luminance(hex(a)), luminance(hex(b))].sort((p, q) => q - p);
        return (x! + 0.05) / (y! + 0.05);
      };
      // Text colour on each background it is used on.
      const pairs: [string, string][] = [
        ["--fg", "--bg"],
        ["--fg", "--bg-soft"],
        ["--fg", "--bg-raised"],
        ["--fg", "--user-bg"],
        ["--fg", "--code-bg"],
        ["--fg-soft", "--bg"],
        ["--fg-soft", "--bg-soft"],
        ["--fg-soft", "--bg-raised"],
        ["--accent", "--bg"],
        // The chosen profile's check mark in the picker's list.
        ["--accent", "--bg-raised"],
        ["--accent-fg", "--accent"],
        ["--danger", "--bg"],
        ["--danger", "--bg-raised"],
      ];
      return pairs.map(([fg, bg]) => ({ pair: `${fg} on ${bg}`, ratio: Math.round(ratio(fg, bg) * 100) / 100 }));
    });
    for (const { pair, ratio } of ratios) expect(ratio, `${theme}: ${pair}`).toBeGreaterThanOrEqual(4.5);
  }
});

test("Esc stops the answer", async ({ chat, stack }) => {
  stack.emulator.enqueue({ blocks: [{ text: "a b c d e f g h i j k l m n o p q r s t" }], deltas: 20, delayMs: 150, modelId: "us.amazon.nova-pro-v1:0" });
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  await chat.send("long one");
  await expect(chat.answers.first()).toContainText("a b");
  await chat.composer.focus();
  await chat.page.keyboard.press("Escape");
  await chat.waitIdle();
  await expect(chat.answers.first()).toContainText("Stopped");
});

test("redacted reasoning says it cannot be shown", async ({ chat, stack }) => {
  stack.emulator.enqueue({ blocks: [{ redacted: Buffer.from("opaque").toString("base64") }, { text: "The answer." }] });
  await chat.open();
  await chat.send("Secret thoughts?");
  await expect(chat.answers.first()).toContainText("The answer.");
  await chat.answers.first().getByRole("button", { name: "Thinking", exact: true }).click();
  await expect(chat.answers.first()).toContainText("The model's reasoning is encrypted (redacted) and cannot be shown.");
});

test("a dropped connection reconnects by itself and the answer continues", async ({ chat, stack, page }) => {
  stack.emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight nine ten" }], deltas: 10, delayMs: 250, modelId: "us.amazon.nova-pro-v1:0" });
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  // The first event stream is cut after a moment, as a flaky network would.
  let cut = false;
  await page.route("**/api/generations/*/events", async (route) => {
    if (cut) return route.continue();
    cut = true;
    const response = await route.fetch({ timeout: 600 }).catch(() => null);
    return response ? route.fulfill({ response }) : route.abort("connectionreset");
  });
  await chat.send("count to ten");
  await expect(chat.answers.first()).toContainText("one two three four five six seven eight nine ten", { timeout: 15_000 });
  await chat.waitIdle();
  expect(cut).toBe(true);
});

test("on a laptop (no sign-in) the Admin page shows what the chats cost; the CSP blocks nothing of the app", async ({ chat }) => {
  const violations: string[] = [];
  chat.page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await chat.open();
  // index.html's inline script ran (it is allowed by its hash): it set the theme before the first paint.
  await expect(chat.page.locator("html")).toHaveAttribute("data-theme", /light|dark/);
  await chat.send("what does this cost?");
  await expect(chat.answers).toHaveCount(1);
  await chat.waitIdle();
  await expect(chat.page.getByRole("button", { name: "Account" })).toHaveCount(0);
  await chat.page.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(chat.page.getByRole("navigation", { name: "Admin" })).toBeVisible();
  await expect(chat.page.getByText("you are its only user")).toBeVisible();
  await expect(chat.page.getByRole("table", { name: "By user and model" })).toContainText("us.anthropic.claude-3-7-sonnet");
  await chat.page.getByRole("link", { name: "Back to chat" }).click();
  await expect(chat.composer).toBeVisible();
  expect(violations).toEqual([]);
});

test("with reduced motion asked for, a switch moves at once (no slide)", async ({ chat }) => {
  await chat.page.emulateMedia({ reducedMotion: "reduce" });
  await chat.open();
  await chat.button("Settings").click();
  const toggle = chat.page.getByRole("dialog", { name: "Settings", exact: true }).getByRole("switch", { name: "Show cost", exact: true });
  const slideSeconds = () => toggle.evaluate((el) => parseFloat(getComputedStyle(el.firstElementChild!).transitionDuration));
  expect(await slideSeconds()).toBeLessThan(0.001);
  await chat.page.emulateMedia({ reducedMotion: "no-preference" });
  expect(await slideSeconds()).toBeGreaterThanOrEqual(0.1);
});

/** The answer's steps in the order they are on screen (top to bottom): thinking steps, tool steps and a text. */
async function stepOrder(answer: Locator, text: string): Promise<string[]> {
  const found: { name: string; y: number }[] = [];
  const thinking = answer.getByRole("button", { name: "Thinking", exact: true });
  for (let i = 0; i < (await thinking.count()); i++) found.push({ name: "thinking", y: (await thinking.nth(i).boundingBox())!.y });
  const tools = answer.getByRole("group", { name: /^Used / });
  for (let i = 0; i < (await tools.count()); i++) found.push({ name: (await tools.nth(i).getAttribute("aria-label"))!, y: (await tools.nth(i).boundingBox())!.y });
  found.push({ name: "text", y: (await answer.getByText(text, { exact: true }).boundingBox())!.y });
  return found.sort((a, b) => a.y - b.y).map((s) => s.name);
}

test("a redacted reasoning block and a tool round survive a reload, in the order they happened", async ({ chat, stack }) => {
  const reasoning = "The user wants the weather; I will call the tool.";
  const threadId = await stack.seedThread({
    title: "Weather in Oslo",
    messages: [
      { role: "user", parts: [{ type: "text", text: "What is the weather in Oslo?" }] },
      {
        role: "assistant",
        modelId: "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        meta: { reasoningMs: 2300, stopReason: "end_turn" },
        parts: [
          { type: "reasoning", text: reasoning, signature: signReasoning("anthropic", reasoning) },
          { type: "toolUse", id: "tooluse_1", name: "get_weather", input: { city: "Oslo" } },
          { type: "toolResult", toolUseId: "tooluse_1", status: "success", content: [{ type: "text", text: "Oslo: 12 °C, light rain" }] },
          { type: "redactedReasoning", data: Buffer.from("opaque").toString("base64") },
          { type: "text", text: "It is 12 °C in Oslo, with light rain." },
        ],
      },
    ],
  });
  const check = async () => {
    const answer = chat.answers.first();
    await expect(answer.getByText("It is 12 °C in Oslo, with light rain.", { exact: true })).toBeVisible();
    expect(await stepOrder(answer, "It is 12 °C in Oslo, with light rain.")).toEqual(["thinking", "Used get_weather", "thinking", "text"]);
    const tool = answer.getByRole("group", { name: "Used get_weather", exact: true });
    await expect(tool).toContainText("Done");
    // Collapsed until opened: then its input (indented JSON) and result.
    await expect(tool.getByText("Oslo: 12 °C, light rain", { exact: true })).toBeHidden();
    await tool.getByRole("button", { name: "Used get_weather", exact: true }).click();
    await expect(tool.getByText("Oslo: 12 °C, light rain", { exact: true })).toBeVisible();
    await expect(tool.locator("pre").first()).toHaveText('{\n  "city": "Oslo"\n}');
    const [readable, redacted] = [answer.getByRole("button", { name: "Thinking", exact: true }).nth(0), answer.getByRole("button", { name: "Thinking", exact: true }).nth(1)];
    await expect(answer).toContainText("Thought for 2 s");
    await readable.click();
    await expect(answer.getByText(reasoning, { exact: true })).toBeVisible();
    await redacted.click();
    await expect(answer).toContainText("The model's reasoning is encrypted (redacted) and cannot be shown.");
  };
  await chat.open(`/t/${threadId}`);
  await check();
  await chat.screenshot("tool-step");
  await chat.page.setViewportSize({ width: 375, height: 740 });
  await chat.screenshot("tool-step-phone");
  await chat.page.setViewportSize({ width: 1280, height: 720 });
  await chat.page.reload();
  await expect(chat.composer).toBeVisible();
  await check();
});

test("a streamed answer's steps (thinking, redacted thinking, text, a tool call) stay the same after a reload", async ({ chat, stack }) => {
  stack.emulator.enqueue({
    blocks: [{ reasoning: "Which city? Oslo, clearly." }, { redacted: Buffer.from("opaque").toString("base64") }, { text: "Let me look that up." }, { toolUse: { name: "get_weather", input: { city: "Oslo" } } }],
    deltas: 6,
    delayMs: 150,
  });
  await chat.open();
  await chat.send("Weather in Oslo?");
  const answer = chat.answers.first();
  // While it streams, the thinking step is open and comes before the text.
  await expect(answer.getByRole("button", { name: "Thinking", exact: true })).toHaveAttribute("aria-expanded", "true");
  await expect(answer.getByText("Let me look that up.", { exact: true })).toBeVisible();
  expect((await stepOrder(answer, "Let me look that up.")).slice(0, 2)).toEqual(["thinking", "text"]);
  await chat.waitIdle();
  const order = await stepOrder(answer, "Let me look that up.");
  expect(order).toEqual(["thinking", "text", "Used get_weather"]);
  const shown = await answer.innerText();
  await chat.page.reload();
  await expect(answer.getByText("Let me look that up.", { exact: true })).toBeVisible();
  expect(await stepOrder(answer, "Let me look that up.")).toEqual(order);
  expect(await answer.innerText()).toBe(shown);
  await answer.getByRole("button", { name: "Thinking", exact: true }).click();
  await expect(answer).toContainText("Which city? Oslo, clearly.");
  await expect(answer).toContainText("The model's reasoning is encrypted (redacted) and cannot be shown.");
});

test("show cost, its precision and the last profile are the user's preferences on the server, not thread settings", async ({ chat, stack }) => {
  const server = async (path: string) => (await fetch(stack.url + path, { headers: { "x-requested-with": "fetch" } })).json() as Promise<Record<string, any>>;
  await chat.open();
  await chat.selectProfile("Amazon Nova Pro");
  await chat.send("Hello");
  await chat.waitIdle();
  await chat.button("Settings").click();
  const dialog = chat.page.getByRole("dialog", { name: "Settings", exact: true });
  await dialog.getByRole("switch", { name: "Show cost", exact: true }).click();
  await dialog.getByRole("slider", { name: "Cost precision", exact: true }).fill("7");
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await expect(chat.answers.first()).toContainText(/\d+ in \/ \d+ out tokens · \$0\.\d+/);
  await expect.poll(async () => (await server("/api/preferences"))["preferences"]).toMatchObject({ showCost: true, costPrecision: 7, lastProfile: "Amazon Nova Pro" });
  const threadId = /\/t\/(\w+)$/.exec(chat.page.url())![1]!;
  const { thread } = await server(`/api/threads/${threadId}`);
  expect(thread.settings).not.toHaveProperty("showCost");
  expect(thread.settings).not.toHaveProperty("costPrecision");
  // Switching the thread's profile leaves Show cost on: the answers' costs and the thread total stay.
  await chat.selectProfile("Claude Haiku 4.5");
  await expect(chat.answers.first()).toContainText(/\d+ in \/ \d+ out tokens · \$0\.\d+/);
  await expect(chat.page.getByText(/^Thread cost: \$0\.\d+$/)).toBeVisible();
  await chat.selectProfile("Amazon Nova Pro");

  // Another page load (another device) shows the same; a new chat starts with the last chat's profile.
  await chat.page.reload();
  await expect(chat.answers.first()).toContainText(/\d+ in \/ \d+ out tokens · \$0\.\d+/);
  await chat.button("New chat").click();
  await expect(chat.profilePicker).toHaveText("Amazon Nova Pro");
  await chat.button("Settings").click();
  await expect(dialog.getByRole("switch", { name: "Show cost", exact: true })).toHaveAttribute("aria-checked", "true");
  await expect(dialog.getByRole("slider", { name: "Cost precision", exact: true })).toHaveValue("7");
});
