/// <reference lib="dom" />
import type { Locator } from "@playwright/test";
import { EVERYTHING_BIN, startEverythingHttp, type EverythingHttp } from "../mcp/everything.js";
import { expect, test, type ChatPage } from "./fixtures.js";

/**
 * Permission before a tool runs, in the browser: a call of a tool that does not say it only reads waits at its step
 * with Allow, Always allow and Deny, also after a reload. server-everything's toggle-simulated-logging declares
 * readOnlyHint: false, so it asks; its echo declares readOnlyHint: true, so it does not.
 */

let everything: EverythingHttp;
test.beforeAll(async () => {
  everything = await startEverythingHttp();
});
test.afterAll(async () => {
  await everything?.close();
});

const TOOL = "everything__toggle-simulated-logging";
const STEP = "Used toggle-simulated-logging (everything)";

async function addServer(chat: ChatPage) {
  await chat.button("MCP servers").click();
  const dialog = chat.page.getByRole("dialog", { name: "MCP servers", exact: true });
  await dialog.getByRole("button", { name: "Add server", exact: true }).click();
  await dialog.getByRole("textbox", { name: "Server name", exact: true }).fill("everything");
  await dialog.getByRole("textbox", { name: "Server URL", exact: true }).fill(everything.url);
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(dialog.getByRole("region", { name: "everything", exact: true }).getByRole("status")).toHaveText(/^Connected/);
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
}

/** The answer calls the tool once, then says `after`. */
function script(chat: ChatPage, after: string) {
  chat.stack.emulator.enqueue(
    { blocks: [{ reasoning: "The user wants logging switched." }, { text: "Let me switch logging." }, { toolUse: { name: TOOL, input: {} } }], deltas: 2, delayMs: 30 },
    { blocks: [{ text: after }], deltas: 2, delayMs: 30 },
  );
}

const permission = (step: Locator) => step.getByRole("group", { name: "Permission to run toggle-simulated-logging", exact: true });

test("a tool call waits for permission at its step, across a reload; Deny, Always allow, then no question", async ({ chat }) => {
  test.setTimeout(60_000);
  await chat.open();
  await addServer(chat);

  script(chat, "Logging was not switched.");
  await chat.send("Switch logging on");
  let answer = chat.answers.first();
  let step = answer.getByRole("group", { name: STEP, exact: true });
  await expect(step).toContainText("Waiting for your permission");
  // Opened by itself: what the tool would get is in sight.
  await expect(step.getByRole("button", { name: STEP, exact: true })).toHaveAttribute("aria-expanded", "true");
  await expect(permission(step).getByRole("button", { name: "Allow", exact: true })).toBeVisible();
  await chat.screenshot("tool-approval-waiting");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("tool-approval-waiting-phone");
  await chat.page.setViewportSize({ width: 1280, height: 720 });

  // A reload: still waiting, still asking.
  await chat.page.reload();
  answer = chat.answers.first();
  step = answer.getByRole("group", { name: STEP, exact: true });
  await expect(step).toContainText("Waiting for your permission");
  await permission(step).getByRole("button", { name: "Deny", exact: true }).click();
  await expect(step).toContainText("Declined");
  await expect(step).toContainText("The user declined to run the tool toggle-simulated-logging");
  await expect(permission(step)).toHaveCount(0);
  await chat.waitIdle();
  await expect(answer.getByText("Logging was not switched.", { exact: true })).toBeVisible();

  // Always allow: this call runs, and the next one does not ask.
  script(chat, "Logging is on.");
  await chat.send("Try again");
  answer = chat.answers.last();
  step = answer.getByRole("group", { name: STEP, exact: true });
  await permission(step).getByRole("button", { name: "Always allow", exact: true }).click();
  await expect(step).toContainText("Done");
  await chat.waitIdle();
  await expect(answer.getByText("Logging is on.", { exact: true })).toBeVisible();

  script(chat, "Logging is off.");
  await chat.send("And off again");
  answer = chat.answers.last();
  await chat.waitIdle();
  step = answer.getByRole("group", { name: STEP, exact: true });
  await expect(step).toContainText("Done");
  await expect(answer.getByText("Logging is off.", { exact: true })).toBeVisible();
  await expect(permission(step)).toHaveCount(0);
});

test("Stop while a call waits for permission ends the answer; the step stays, the tool never ran", async ({ chat }) => {
  await chat.open();
  await addServer(chat);
  script(chat, "never said");
  await chat.send("Switch logging on");
  const answer = chat.answers.first();
  const step = answer.getByRole("group", { name: STEP, exact: true });
  await expect(step).toContainText("Waiting for your permission");
  await chat.button("Stop").click();
  await chat.waitIdle();
  await expect(answer).toContainText("Stopped");
  await expect(step).toContainText("Not run (stopped)");
  await expect(permission(step)).toHaveCount(0);
  await expect(answer.getByText("never said", { exact: true })).toHaveCount(0);
});

test("the MCP dialog: a program of one's own, Ask before running tools off, and Ask first for a read-only tool", async ({ chat }) => {
  test.setTimeout(60_000);
  await chat.open();
  await chat.button("MCP servers").click();
  const dialog = chat.page.getByRole("dialog", { name: "MCP servers", exact: true });
  // On a laptop (AUTH_MODE=none) a program on this computer may be added.
  await dialog.getByRole("button", { name: "Add program", exact: true }).click();
  await dialog.getByRole("textbox", { name: "Server name", exact: true }).fill("everything");
  await dialog.getByRole("textbox", { name: "Command", exact: true }).fill(`"${process.execPath}" ${EVERYTHING_BIN} stdio`);
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  const server = dialog.getByRole("region", { name: "everything", exact: true });
  await expect(server.getByRole("status")).toHaveText(/^Connected/);
  const ask = server.getByRole("switch", { name: "Ask before running tools", exact: true });
  await expect(ask).toHaveAttribute("aria-checked", "true");
  await ask.click();
  await expect(ask).toHaveAttribute("aria-checked", "false");
  // echo says it only reads; asking can still be turned on for it.
  await server.getByRole("combobox", { name: "When echo is called", exact: true }).selectOption({ label: "Ask first" });
  await expect(server.getByText("read-only").first()).toBeVisible();
  await chat.screenshot("mcp-dialog-permissions");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("mcp-dialog-permissions-phone");
  await chat.page.setViewportSize({ width: 1280, height: 720 });
  await dialog.getByRole("button", { name: "Close", exact: true }).click();

  // Asking is off for the server: the logging tool runs at once.
  script(chat, "Logging switched.");
  await chat.send("Switch logging on");
  let answer = chat.answers.last();
  await chat.waitIdle();
  await expect(answer.getByRole("group", { name: STEP, exact: true })).toContainText("Done");
  // Ask first for echo: it asks although read-only.
  chat.stack.emulator.enqueue(
    { blocks: [{ reasoning: "Echo it." }, { toolUse: { name: "everything__echo", input: { message: "hi" } } }], deltas: 2, delayMs: 30 },
    { blocks: [{ text: "Echoed." }], deltas: 2, delayMs: 30 },
  );
  await chat.send("Echo hi");
  answer = chat.answers.last();
  const echo = answer.getByRole("group", { name: "Used echo (everything)", exact: true });
  await echo.getByRole("group", { name: "Permission to run echo", exact: true }).getByRole("button", { name: "Allow", exact: true }).click();
  await expect(echo).toContainText("Done");
  await chat.waitIdle();
});
