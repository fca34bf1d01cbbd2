/// <reference lib="dom" />
import type { Locator } from "@playwright/test";
import { freePort, startEverythingHttp, type EverythingHttp } from "../mcp/everything.js";
import { expect, test, type ChatPage } from "./fixtures.js";
import { withoutCachePoints } from "../helpers/cache-points.js";

/**
 * The MCP servers dialog and tool steps, against the real server-everything over Streamable HTTP on 127.0.0.1
 * (the e2e server runs in AUTH_MODE=none, where the user's own machine may be reached) and the Bedrock emulator.
 */

let everything: EverythingHttp;
test.beforeAll(async () => {
  everything = await startEverythingHttp();
});
test.afterAll(async () => {
  await everything?.close();
});

type Json = Record<string, any>;
const api = async (chat: ChatPage, path: string): Promise<Json> => (await fetch(chat.stack.url + path, { headers: { "x-requested-with": "fetch" } })).json() as Promise<Json>;
const toolNames = (body: Json): string[] => ((withoutCachePoints(body)["toolConfig"]?.["tools"] ?? []) as Json[]).map((tool) => tool["toolSpec"]["name"] as string);

async function openDialog(chat: ChatPage): Promise<Locator> {
  await chat.button("MCP servers").click();
  const dialog = chat.page.getByRole("dialog", { name: "MCP servers", exact: true });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function addServer(dialog: Locator, name: string, url: string, authorization?: string) {
  await dialog.getByRole("button", { name: "Add server", exact: true }).click();
  await dialog.getByRole("textbox", { name: "Server name", exact: true }).fill(name);
  await dialog.getByRole("textbox", { name: "Server URL", exact: true }).fill(url);
  if (authorization !== undefined) await dialog.getByRole("textbox", { name: "Authorization header", exact: true }).fill(authorization);
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
}

/** The answer's tool steps and the given texts, in the order they are on screen. */
async function stepOrder(answer: Locator, texts: string[]): Promise<string[]> {
  const found: { name: string; y: number }[] = [];
  const tools = answer.getByRole("group", { name: /^Used / });
  for (let i = 0; i < (await tools.count()); i++) found.push({ name: (await tools.nth(i).getAttribute("aria-label"))!, y: (await tools.nth(i).boundingBox())!.y });
  for (const text of texts) found.push({ name: text, y: (await answer.getByText(text, { exact: true }).boundingBox())!.y });
  return found.sort((a, b) => a.y - b.y).map((s) => s.name);
}

test("add a server, see and switch its tools, an answer calls them step by step, the steps survive a reload, remove it", async ({ chat, stack }) => {
  test.setTimeout(60_000);
  await chat.open();
  let dialog = await openDialog(chat);
  await expect(dialog).toContainText("No MCP servers yet.");
  await expect(dialog).toContainText("Every chat profile can use tools except DeepSeek V3 and DeepSeek R1.");
  await expect(dialog).toContainText("The current profile, Claude 3.7 Sonnet, can use them.");

  await addServer(dialog, "everything", everything.url);
  const server = dialog.getByRole("region", { name: "everything", exact: true });
  await expect(server).toContainText(everything.url);
  await expect(server.getByRole("status")).toHaveText(/^Connected, \d+ tools \(1 not available\)$/);
  // A just-added server shows its tools, each with its description and a switch.
  const echo = server.getByRole("switch", { name: "echo", exact: true });
  await expect(echo).toHaveAttribute("aria-checked", "true");
  await expect(echo).toHaveAccessibleDescription("Echoes back the input string");
  await expect(server.getByRole("switch", { name: "get-sum", exact: true })).toBeVisible();
  await expect(server).toContainText("Not available to models");
  await expect(server).toContainText("simulate-research-query");
  await expect(server.getByRole("switch", { name: "Enabled", exact: true })).toHaveAttribute("aria-checked", "true");
  await expect(server.getByText("none", { exact: true })).toBeVisible();
  await chat.screenshot("mcp-dialog");
  await chat.page.setViewportSize({ width: 375, height: 740 });
  await chat.screenshot("mcp-dialog-phone");
  await chat.page.setViewportSize({ width: 1280, height: 720 });

  // One tool off: saved, and the model is not offered it.
  await echo.click();
  await expect(echo).toHaveAttribute("aria-checked", "false");
  await expect(server.getByRole("status")).toHaveText(/^Connected, \d+ tools \(1 switched off, 1 not available\)$/);
  await expect.poll(async () => (await api(chat, "/api/mcp/servers"))["servers"][0]["disabledTools"]).toEqual(["echo"]);
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await expect(chat.button("MCP servers")).toBeFocused();
  await chat.send("Hello");
  await chat.waitIdle();
  const offered = toolNames(stack.emulator.requests.at(-1)!.body);
  expect(offered).toContain("everything__get-sum");
  expect(offered).not.toContain("everything__echo");
  // The tool list is sorted by name (the start of the prompt-cache prefix).
  expect(offered).toEqual([...offered].sort());

  // On again (Escape closed the dialog, and focus went back to its button).
  dialog = await openDialog(chat);
  await chat.page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(chat.button("MCP servers")).toBeFocused();
  dialog = await openDialog(chat);
  await expect(server.getByRole("status")).toHaveText(/^Connected/);
  await server.getByRole("button", { name: /^Tools \(\d+\)$/ }).click();
  await server.getByRole("switch", { name: "echo", exact: true }).click();
  await expect(server.getByRole("switch", { name: "echo", exact: true })).toHaveAttribute("aria-checked", "true");
  await expect.poll(async () => (await api(chat, "/api/mcp/servers"))["servers"][0]["disabledTools"]).toEqual([]);
  await dialog.getByRole("button", { name: "Close", exact: true }).click();

  // The model (thinking, as the profile does by default) calls echo, then echo with a bad input and a slow tool
  // together, then answers.
  stack.emulator.enqueue(
    { blocks: [{ reasoning: "The user wants an echo." }, { text: "Let me echo that." }, { toolUse: { name: "everything__echo", input: { message: "hello from the test" } } }], deltas: 3, delayMs: 100 },
    {
      blocks: [
        { reasoning: "Once more, and a slow one." },
        { toolUse: { name: "everything__echo", input: { wrong: true } } },
        { toolUse: { name: "everything__trigger-long-running-operation", input: { duration: 2, steps: 2 } } },
      ],
      deltas: 2,
      delayMs: 50,
    },
    { blocks: [{ text: "The echo said hello from the test." }], deltas: 4, delayMs: 80 },
  );
  await chat.send("Echo something");
  const answer = chat.answers.nth(1);
  const slow = answer.getByRole("group", { name: "Used trigger-long-running-operation (everything)", exact: true });
  await expect(slow).toContainText("Running...");
  const first = answer.getByRole("group", { name: "Used echo (everything)", exact: true }).first();
  await expect(first).toContainText("Done");
  await chat.screenshot("mcp-tool-running");
  await expect(slow).toContainText("Done");
  await chat.waitIdle();
  await expect(answer.getByText("The echo said hello from the test.", { exact: true })).toBeVisible();

  const order = ["Let me echo that.", "Used echo (everything)", "Used echo (everything)", "Used trigger-long-running-operation (everything)", "The echo said hello from the test."];
  expect(await stepOrder(answer, ["Let me echo that.", "The echo said hello from the test."])).toEqual(order);
  // What went to the model: the echo's result, then both results of the parallel round.
  const requests = stack.emulator.requests.slice(-3) as { body: Json }[];
  expect(toolNames(requests[0]!.body)).toContain("everything__echo");
  expect(JSON.stringify(requests[1]!.body["messages"].at(-1))).toContain("Echo: hello from the test");
  expect(withoutCachePoints(requests[2]!.body)["messages"].at(-1).content.filter((b: Json) => b["toolResult"]).map((b: Json) => b["toolResult"]["status"])).toEqual(["error", "success"]);

  const check = async () => {
    const failed = answer.getByRole("group", { name: "Used echo (everything)", exact: true }).nth(1);
    await expect(failed).toContainText("Failed");
    // A failed call is open by itself, with its reason; the others open on a click.
    await expect(failed.getByRole("button", { name: "Used echo (everything)", exact: true })).toHaveAttribute("aria-expanded", "true");
    await expect(failed).toContainText("Error");
    const done = answer.getByRole("group", { name: "Used echo (everything)", exact: true }).first();
    const toggle = done.getByRole("button", { name: "Used echo (everything)", exact: true });
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    // The input as indented JSON, and the result.
    await expect(done.locator("pre").first()).toHaveText('{\n  "message": "hello from the test"\n}');
    await expect(done.locator("pre").nth(1)).toHaveText("Echo: hello from the test");
  };
  const shown = await answer.innerText();
  await check();
  await chat.screenshot("mcp-tool-step");
  await chat.page.setViewportSize({ width: 375, height: 740 });
  await chat.screenshot("mcp-tool-step-phone");
  await chat.page.setViewportSize({ width: 1280, height: 720 });

  // After a reload: the same steps, in the same order, showing the same.
  await chat.page.reload();
  await expect(answer.getByText("The echo said hello from the test.", { exact: true })).toBeVisible();
  expect(await stepOrder(answer, ["Let me echo that.", "The echo said hello from the test."])).toEqual(order);
  expect(await answer.innerText()).toBe(shown);
  await check();

  // Headers: set, shown by name only (never their value), replaceable; the server reconnects with them.
  dialog = await openDialog(chat);
  await expect(server.getByRole("status")).toHaveText(/^Connected/);
  await server.getByRole("button", { name: "Add headers", exact: true }).click();
  await server.getByRole("textbox", { name: "Authorization header", exact: true }).fill("Bearer t0ken-one");
  await server.getByRole("button", { name: "Other headers...", exact: true }).click();
  await server.getByRole("textbox", { name: "Other headers", exact: true }).fill("X-Team blue");
  await server.getByRole("button", { name: "Save headers", exact: true }).click();
  await expect(server.getByRole("alert")).toHaveText("Line 1 of the other headers needs a name and a value, like X-Api-Key: abc123.");
  await server.getByRole("textbox", { name: "Other headers", exact: true }).fill("X-Team: blue");
  await server.getByRole("button", { name: "Save headers", exact: true }).click();
  await expect(server.getByRole("listitem").filter({ hasText: "Authorization: set" })).toBeVisible();
  await expect(server).toContainText("X-Team: set");
  await expect(server.getByRole("status")).toHaveText(/^Connected/);
  expect((await api(chat, "/api/mcp/servers"))["servers"][0]["headers"]).toEqual(["Authorization", "X-Team"]);
  await server.getByRole("button", { name: "Replace headers", exact: true }).click();
  await expect(server).toContainText("These replace the headers set now (Authorization, X-Team).");
  await server.getByRole("textbox", { name: "Authorization header", exact: true }).fill("Bearer t0ken-two");
  await chat.screenshot("mcp-dialog-headers");
  await server.getByRole("button", { name: "Save headers", exact: true }).click();
  await expect(server.getByRole("button", { name: "Replace headers", exact: true })).toBeVisible();
  await expect(server).not.toContainText("X-Team");
  const listed = JSON.stringify(await api(chat, "/api/mcp/servers"));
  expect(listed).not.toContain("t0ken");
  expect(await chat.page.content()).not.toContain("t0ken");

  // Remove it.
  await server.getByRole("button", { name: /^Remove\b/ }).click();
  await expect(server).toHaveCount(0);
  await expect(dialog).toContainText("No MCP servers yet.");
  expect((await api(chat, "/api/mcp/servers"))["servers"]).toEqual([]);
});

test("the dialog says what went wrong in plain words and keeps what was typed", async ({ chat }) => {
  await chat.open();
  const dialog = await openDialog(chat);
  const name = dialog.getByRole("textbox", { name: "Server name", exact: true });
  const url = dialog.getByRole("textbox", { name: "Server URL", exact: true });

  await addServer(dialog, "local", "not a url");
  await expect(dialog.getByRole("alert")).toHaveText("Expected the server's http:// or https:// address, such as https://example.com/mcp.");
  await expect(name).toHaveValue("local");
  await expect(url).toHaveValue("not a url");
  await chat.screenshot("mcp-dialog-error");

  // Saved; nothing listens on that port, which the status says.
  await url.fill(`http://127.0.0.1:${await freePort()}/mcp`);
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  const server = dialog.getByRole("region", { name: "local", exact: true });
  await expect(server.getByRole("status")).toHaveText("Cannot connect: Nothing answers at this address (connection refused). Check that the server is running and that the port is right.");
  await expect(server.getByRole("button", { name: "Try again", exact: true })).toBeVisible();

  // The same name twice.
  await addServer(dialog, "local", everything.url);
  await expect(dialog.getByRole("form", { name: "Add server" }).getByRole("alert")).toHaveText('You already have a server named "local". Choose another name.');
  await expect(url).toHaveValue(everything.url);
  await dialog.getByRole("button", { name: "Cancel", exact: true }).click();

  // Switched off: saved, and said.
  await server.getByRole("switch", { name: "Enabled", exact: true }).click();
  await expect(server.getByRole("switch", { name: "Enabled", exact: true })).toHaveAttribute("aria-checked", "false");
  await expect(server).toContainText("Switched off: models do not get its tools.");
  await expect.poll(async () => (await api(chat, "/api/mcp/servers"))["servers"][0]["enabled"]).toBe(false);

  // A profile without tools is told (in the dark theme, for a look at it).
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await chat.selectProfile("DeepSeek V3");
  await chat.page.getByRole("combobox", { name: "Theme", exact: true }).selectOption("Dark");
  await openDialog(chat);
  await expect(dialog).toContainText("The current profile, DeepSeek V3, cannot use tools: pick one that can to use these servers.");
  await chat.screenshot("mcp-dialog-dark");
});

test.describe("on a shared server without SECRET_KEY", () => {
  test.use({ secretKey: null });

  test("headers cannot be stored: the dialog says so, keeps what was typed, and nothing is saved", async ({ chat }) => {
    await chat.open();
    const dialog = await openDialog(chat);
    await addServer(dialog, "private", everything.url, "Bearer s3cret");
    await expect(dialog.getByRole("alert")).toHaveText(/^Set SECRET_KEY \(32 random bytes, base64\) to store MCP server headers and tokens; see the README\./);
    await expect(dialog.getByRole("textbox", { name: "Authorization header", exact: true })).toHaveValue("Bearer s3cret");
    await expect(dialog.getByRole("textbox", { name: "Server name", exact: true })).toHaveValue("private");
    expect((await api(chat, "/api/mcp/servers"))["servers"]).toEqual([]);
    await chat.screenshot("mcp-dialog-no-secret-key");
  });
});
