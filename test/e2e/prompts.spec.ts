/// <reference lib="dom" />
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures.js";
import { withoutCachePoints } from "../helpers/cache-points.js";

const today = () => new Date().toISOString().slice(0, 10);
const PIRATE = "Answer as a pirate would. Today is {{TODAY}}.";
const ROBOT = "Answer as a robot would. {{MOOD}} Today is {{TODAY}}.";

const prompts = (page: Page) => ({
  list: page.getByRole("navigation", { name: "Prompts", exact: true }),
  text: page.getByRole("textbox", { name: "Prompt text", exact: true }),
  version: page.getByRole("combobox", { name: "Version", exact: true }),
  button: (name: string) => page.getByRole("button", { name, exact: true }),
});

async function publish(page: Page, note: string) {
  const p = prompts(page);
  await p.button("Publish version").click();
  const dialog = page.getByRole("dialog", { name: "Publish version", exact: true });
  await dialog.getByRole("textbox", { name: "Note", exact: true }).fill(note);
  await dialog.getByRole("button", { name: "Publish", exact: true }).click();
}

test("an admin edits, publishes and rolls back a prompt; the next chat uses the published text", async ({ chat, stack }) => {
  const page = chat.page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await chat.open();
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await page.getByRole("link", { name: "Prompts", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/prompts$/);
  const p = prompts(page);
  await p.list.getByRole("link", { name: "Default", exact: true }).click();
  await expect(p.text).toHaveValue("You are a helpful assistant. Today is {{TODAY}}.");
  await expect(p.version.locator("option")).toHaveText(["Draft", "Version 1 (in use)"]);

  // Edit: the preview fills the variables, the count runs against the limit, unknown placeholders are flagged.
  await p.text.fill(ROBOT);
  await expect(page.getByLabel("Preview (variables filled in as of now)")).toHaveText(`Answer as a robot would. {{MOOD}} Today is ${today()}.`);
  await expect(page.getByText(`${ROBOT.length} of 200,000 characters`)).toBeVisible();
  await expect(page.getByText(/Not variables this app fills in, left as written: \{\{MOOD\}\}/)).toBeVisible();
  await chat.screenshot("prompts-editing");

  // Publish the pirate text as version 2, then the robot text as version 3.
  await p.text.fill(PIRATE);
  await p.button("Save draft").click();
  await expect(page.getByText("Draft saved.")).toBeVisible();
  await publish(page, "Pirate voice");
  await expect(page.getByText("Version 2 published and in use for new chats.")).toBeVisible();
  await p.text.fill(ROBOT);
  await publish(page, "Robot voice");
  await expect(page.getByText("Version 3 published and in use for new chats.")).toBeVisible();
  await expect(p.version.locator("option")).toHaveText(["Draft", "Version 3 (in use)", "Version 2", "Version 1"]);

  // A version: its note, its text and the diff against the one before; Roll back pins it.
  await p.version.selectOption({ label: "Version 3 (in use)" });
  await expect(page.getByLabel("Changes from version 2")).toContainText("- Answer as a pirate would. Today is {{TODAY}}.");
  await expect(page.getByLabel("Changes from version 2")).toContainText("+ Answer as a robot would. {{MOOD}} Today is {{TODAY}}.");
  await expect(page.getByText("Robot voice")).toBeVisible();
  await chat.screenshot("prompts-version");
  await p.version.selectOption({ label: "Version 2" });
  await expect(page.getByText("Pirate voice")).toBeVisible();
  await p.button("Roll back").click();
  await expect(page.getByText("Version 2 is in use for new chats.")).toBeVisible();
  await expect(p.version.locator("option")).toHaveText(["Draft", "Version 3", "Version 2 (in use)", "Version 1"]);
  await expect(p.button("Roll back")).toBeDisabled();
  await expect(page.getByRole("table", { name: "Answers by version" })).toBeVisible();

  // A chat turn now: Bedrock gets version 2's text with today's date.
  await page.getByRole("link", { name: "Back to chat", exact: true }).click();
  await chat.send("Ahoy?");
  await chat.waitIdle();
  const converse = stack.emulator.requests.filter((r) => !JSON.stringify(r.body).includes("title"));
  expect(withoutCachePoints(converse.at(-1)!.body)["system"]).toEqual([{ text: `Answer as a pirate would. Today is ${today()}.` }]);
  const answer = chat.answers.first();
  await answer.getByText("Details", { exact: true }).click();
  await expect(answer.getByText("System prompt: fllm-default, version 2")).toBeVisible();
  await chat.screenshot("prompts-message-details");

  // Settings shows the text this chat uses, and the per-version figures count the answer.
  await chat.button("Settings").click();
  const dialog = page.getByRole("dialog", { name: "Settings", exact: true });
  await expect(dialog.getByRole("textbox", { name: "System prompt", exact: true })).toHaveValue(`Answer as a pirate would. Today is ${today()}.`);
  await expect(dialog.getByText("The profile's prompt, version 2, as this chat uses it.")).toBeVisible();
  await chat.screenshot("prompts-settings");
});

test("a thread keeps its version; Use the latest prompt takes the newer one; the Prompts page on a phone", async ({ chat, stack }) => {
  const page = chat.page;
  await chat.open();
  await chat.send("First");
  await chat.waitIdle();
  // An admin publishes a new version meanwhile (through the API, as the page does).
  const published = await page.evaluate(async () => {
    const res = await fetch("/api/admin/prompt/versions", { method: "POST", headers: { "content-type": "application/json", "x-requested-with": "fetch" }, body: JSON.stringify({ name: "fllm-default", text: "Newer text.", note: "newer" }) });
    return res.status;
  });
  expect(published).toBe(201);
  await chat.send("Second");
  await chat.waitIdle();
  const systems = () => stack.emulator.requests.filter((r) => !JSON.stringify(r.body).includes("title")).map((r) => (r.body["system"] as { text: string }[])[0]!.text);
  expect(systems()).toEqual([`You are a helpful assistant. Today is ${today()}.`, `You are a helpful assistant. Today is ${today()}.`]);
  await chat.button("Settings").click();
  const dialog = page.getByRole("dialog", { name: "Settings", exact: true });
  await expect(dialog.getByText("The profile's prompt, version 1, as this chat uses it. Version 2 is newer.")).toBeVisible();
  await dialog.getByRole("button", { name: "Use the latest prompt", exact: true }).click();
  await expect(dialog.getByRole("textbox", { name: "System prompt", exact: true })).toHaveValue("Newer text.");
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await chat.send("Third");
  await chat.waitIdle();
  expect(systems().at(-1)).toBe("Newer text.");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.url}/admin/prompts`);
  await expect(prompts(page).text).toHaveValue("Newer text.");
  await chat.screenshot("prompts-phone");
  await prompts(page).version.selectOption({ label: "Version 2 (in use)" });
  await expect(page.getByLabel("Changes from version 1")).toBeVisible();
  await chat.screenshot("prompts-version-phone");
});
