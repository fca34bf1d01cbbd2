/// <reference lib="dom" />
import { AWKWARD_NAME, startHardHttpServer, type HardHttpServer } from "../mcp/hard-server.js";
import { mapToolNames } from "../../src/tools/names.js";
import { expect, test, type ChatPage } from "./fixtures.js";

/**
 * Tool steps with the real MCP names and each call's duration, live and after a reload, and the admin usage page's
 * tool-call tables, against our hard-case MCP server over Streamable HTTP on 127.0.0.1 and the Bedrock emulator
 * (AUTH_MODE=none: the local user is the admin).
 */

let hard: HardHttpServer;
test.beforeAll(async () => {
  hard = await startHardHttpServer();
});
test.afterAll(async () => {
  await hard?.close();
});

/** The name the model sees for the awkward tool (too long: shortened with a hash). */
const AWKWARD = mapToolNames([{ server: "hard", tool: AWKWARD_NAME }]).toBedrock("hard", AWKWARD_NAME)!;

async function api(chat: ChatPage, method: string, path: string, body?: unknown) {
  const res = await fetch(chat.stack.url + path, {
    method,
    headers: { "x-requested-with": "fetch", origin: chat.stack.url, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

test("tool steps show the MCP tool's real name and how long each call took, live and after a reload; the admin usage page counts the calls", async ({ chat, stack }) => {
  test.setTimeout(60_000);
  await chat.open();
  const added = await api(chat, "POST", "/api/mcp/servers", { name: "hard", url: hard.url });
  expect(added.status).toBe(201);
  expect((await api(chat, "PATCH", `/api/mcp/servers/${added.body["server"].id}`, { askBeforeRunning: false })).status).toBe(200);

  await chat.selectProfile("Amazon Nova Pro");
  stack.emulator.enqueue(
    {
      blocks: [
        { text: "Checking the weather." },
        { toolUse: { name: AWKWARD, input: { city: "Lima" } } },
        { toolUse: { name: "hard__slow", input: { ms: 1300, label: "nap" } } },
        { toolUse: { name: "hard__fail", input: {} } },
      ],
      stopReason: "tool_use",
    },
    { blocks: [{ text: "Sunny in Lima; the database is on fire." }] },
  );
  await chat.send("Weather in Lima?");
  const answer = chat.answers.nth(0);
  const weather = answer.getByRole("group", { name: `Used ${AWKWARD_NAME} (hard)`, exact: true });
  const slow = answer.getByRole("group", { name: "Used slow (hard)", exact: true });
  const failed = answer.getByRole("group", { name: "Used fail (hard)", exact: true });
  await expect(slow).toContainText("Running...");
  await expect(weather).toContainText("Done in less than a second");
  await chat.waitIdle();
  await expect(slow).toContainText(/Done in [12] s/);
  await expect(failed).toContainText("Failed after less than a second");
  const statuses = async () => Promise.all([weather, slow, failed].map((step) => step.locator("[aria-live]").innerText()));
  const live = await statuses();
  await chat.page.setViewportSize({ width: 1280, height: 800 });
  await chat.screenshot("tool-durations");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("tool-durations-phone");
  await chat.page.setViewportSize({ width: 1280, height: 800 });

  // After a reload: the same names and durations, read from the stored parts.
  await chat.page.reload();
  await expect(answer.getByText("Sunny in Lima; the database is on fire.", { exact: true })).toBeVisible();
  expect(await statuses()).toEqual(live);

  // The admin usage page: per user and per tool.
  await chat.page.goto(stack.url + "/admin");
  const byUser = chat.page.getByRole("table", { name: "Tool calls by user", exact: true });
  const byTool = chat.page.getByRole("table", { name: "Tool calls by tool", exact: true });
  await expect(byUser.getByRole("row").nth(1)).toContainText(/local\s*3\s*1\s*[12]\.\d s/);
  await expect(byTool.getByRole("row", { name: /slow/ })).toContainText(/hard\s*slow\s*1\s*0\s*1\.\d s\s*1\.\d s/);
  await expect(byTool.getByRole("row", { name: /fail/ })).toContainText(/hard\s*fail\s*1\s*1/);
  await expect(byTool.getByRole("row", { name: /weather/ })).toContainText(AWKWARD_NAME);
  const heading = chat.page.getByRole("heading", { name: "Tool calls", exact: true });
  await heading.evaluate((h) => h.scrollIntoView({ block: "start" }));
  await chat.screenshot("admin-tool-calls");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await heading.evaluate((h) => h.scrollIntoView({ block: "start" }));
  await chat.screenshot("admin-tool-calls-phone");
});
