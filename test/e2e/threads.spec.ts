import { readFile } from "node:fs/promises";
import type { Locator, Page } from "@playwright/test";
import { expect, test, type ChatPage } from "./fixtures.js";

/**
 * Organizing threads (issue 12): pin, archive and restore, export as Markdown and JSON from "Thread options", the
 * list's order by activity (a rename is not), search snippets with the terms marked, paging past the first page,
 * the sidebar collapsed across reloads, one Tab stop per thread, touch targets on a phone.
 */
test.use({ viewport: { width: 1440, height: 900 } });

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
const threadList = (page: Page) => page.getByRole("navigation", { name: "Threads", exact: true });
const links = (page: Page) => threadList(page).getByRole("link");
/** "Thread options" of a thread, by its title. */
async function options(page: Page, title: string, item: string): Promise<void> {
  const row = threadList(page).getByRole("listitem").filter({ has: page.getByRole("link", { name: title, exact: true }) });
  await row.getByRole("button", { name: "Thread options", exact: true }).click();
  await page.getByRole("menu", { name: "Thread options", exact: true }).getByRole("menuitem", { name: item, exact: true }).click();
}
/** The group heading a thread is listed under. */
async function groupOf(list: Locator, title: string): Promise<string> {
  return list.getByRole("link", { name: title, exact: true }).evaluate((a) => a.closest("ul")?.previousElementSibling?.textContent ?? "");
}
async function downloadOf(chat: ChatPage, title: string, item: string): Promise<{ name: string; text: string }> {
  const downloading = chat.page.waitForEvent("download");
  await options(chat.page, title, item);
  const download = await downloading;
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, "utf8") };
}

test("pin, archive, restore and export a thread from Thread options", async ({ chat, stack }) => {
  await stack.seedThread({
    title: "Lisbon trip",
    at: daysAgo(3),
    messages: [
      { role: "user", parts: [{ type: "text", text: "Plan three days in Lisbon" }, { type: "document", format: "pdf", name: "itinerary", fileName: "itinerary.pdf", source: { type: "bytes", data: "JVBERi0=" } }] },
      {
        role: "assistant",
        modelId: "us.amazon.nova-pro-v1:0",
        cost: "0.0042",
        parts: [
          { type: "reasoning", text: "Three days: Alfama, Belém, Sintra." },
          { type: "toolUse", id: "t1", name: "everything__echo", server: "everything", tool: "echo", input: { message: "tram 28" } },
          { type: "toolResult", toolUseId: "t1", status: "success", content: [{ type: "text", text: "Echo: tram 28" }], durationMs: 12 },
          { type: "text", text: "Day 1: take tram 28 through Alfama." },
        ],
      },
    ],
  });
  await stack.seedThread({ title: "Groceries", at: daysAgo(1), messages: [{ role: "user", parts: [{ type: "text", text: "milk" }] }] });
  await chat.open();
  await expect(links(chat.page)).toHaveText(["Groceries", "Lisbon trip"]);

  await options(chat.page, "Lisbon trip", "Pin");
  await expect(links(chat.page)).toHaveText(["Lisbon trip", "Groceries"]);
  await expect.poll(() => groupOf(threadList(chat.page), "Lisbon trip")).toBe("Pinned");
  await chat.screenshot("threads-pinned");
  // Pinned survives a reload (it is the server's).
  await chat.page.reload();
  await expect(links(chat.page)).toHaveText(["Lisbon trip", "Groceries"]);
  await options(chat.page, "Lisbon trip", "Unpin");
  await expect(links(chat.page)).toHaveText(["Groceries", "Lisbon trip"]);

  const md = await downloadOf(chat, "Lisbon trip", "Export as Markdown");
  expect(md.name).toBe("Lisbon trip.md");
  expect(md.text).toMatch(/^# Lisbon trip\n/);
  expect(md.text).toContain("## You\n\nPlan three days in Lisbon");
  expect(md.text).toContain("Attachments: itinerary.pdf");
  expect(md.text).toMatch(/## Assistant · .+ \(us\.amazon\.nova-pro-v1:0\) · \$0\.0042/);
  expect(md.text).toContain("<details><summary>Thinking</summary>\n\nThree days: Alfama, Belém, Sintra.");
  expect(md.text).toContain("**Tool: echo (everything)** · success, 12 ms");
  expect(md.text).toContain("Echo: tram 28");
  expect(md.text).toContain("Day 1: take tram 28 through Alfama.");

  const json = await downloadOf(chat, "Lisbon trip", "Export as JSON");
  expect(json.name).toBe("Lisbon trip.json");
  const exported = JSON.parse(json.text) as { thread: { title: string }; cost: { total: string }; messages: Record<string, unknown>[] };
  expect(exported.thread.title).toBe("Lisbon trip");
  expect(exported.cost.total).toBe("0.0042");
  expect(exported.messages).toMatchObject([
    { role: "user", text: "Plan three days in Lisbon", attachments: ["itinerary.pdf"] },
    {
      role: "assistant",
      text: "Day 1: take tram 28 through Alfama.",
      reasoning: ["Three days: Alfama, Belém, Sintra."],
      toolSteps: [{ tool: "echo", server: "everything", input: { message: "tram 28" }, status: "success", result: ["Echo: tram 28"] }],
      model: "us.amazon.nova-pro-v1:0",
      cost: "0.0042",
    },
  ]);

  await options(chat.page, "Lisbon trip", "Archive");
  await expect(links(chat.page)).toHaveText(["Groceries"]);
  await chat.button("Archived").click();
  await expect(links(chat.page)).toHaveText(["Lisbon trip"]);
  await chat.screenshot("threads-archived");
  await options(chat.page, "Lisbon trip", "Restore");
  await expect(links(chat.page)).toHaveCount(0);
  await chat.button("Back to threads").click();
  await expect(links(chat.page)).toHaveText(["Groceries", "Lisbon trip"]);
});

test("a rename does not move a thread: it keeps its place and its day", async ({ chat, stack }) => {
  await stack.seedThread({ title: "Recent thread", at: daysAgo(0), messages: [] });
  await stack.seedThread({ title: "Last month's thread", at: daysAgo(40), messages: [] });
  await chat.open();
  await expect(links(chat.page)).toHaveText(["Recent thread", "Last month's thread"]);
  const before = await groupOf(threadList(chat.page), "Last month's thread");
  expect(before).not.toBe("Today");
  await options(chat.page, "Last month's thread", "Rename");
  const title = chat.page.getByRole("textbox", { name: "Thread title", exact: true });
  await title.fill("Renamed old thread");
  await title.press("Enter");
  await expect(links(chat.page)).toHaveText(["Recent thread", "Renamed old thread"]);
  await chat.page.reload();
  await expect(links(chat.page)).toHaveText(["Recent thread", "Renamed old thread"]);
  expect(await groupOf(threadList(chat.page), "Renamed old thread")).toBe(before);
});

test("search results show the matching snippet of the message text with the terms marked; long titles show in full on hover", async ({ chat, stack }) => {
  const long = "A very long title about the expedition to the southern ice shelves and what we learned there";
  await stack.seedThread({
    title: long,
    messages: [{ role: "user", parts: [{ type: "text", text: `${"Some words before the point. ".repeat(8)}We measured the Ántarctic ice shelf with Ångström precision.\n\n${"And more words after it. ".repeat(8)}` }] }],
  });
  await stack.seedThread({ title: "Unrelated", messages: [{ role: "user", parts: [{ type: "text", text: "nothing here" }] }] });
  await chat.open();
  await expect(threadList(chat.page).getByRole("link", { name: long, exact: true })).toHaveAttribute("title", long);
  await chat.page.getByRole("searchbox", { name: "Search threads", exact: true }).fill("antarc angstr");
  await expect(links(chat.page)).toHaveCount(1);
  const row = threadList(chat.page).getByRole("listitem");
  await expect(row.locator("p mark")).toHaveText(["Ántarctic", "Ångström"]);
  await expect(row.locator("p")).toContainText("We measured the Ántarctic ice shelf with Ångström precision.");
  // The snippet describes the link; the link's name stays the title.
  await expect(links(chat.page).first()).toHaveAccessibleName(long);
  await expect(links(chat.page).first()).toHaveAccessibleDescription(/We measured the Ántarctic ice shelf/);
  await chat.screenshot("threads-search-snippet");
  // Marked words keep AA contrast (4.5:1) in both themes.
  for (const theme of ["Dark", "Light"]) {
    await chat.page.getByRole("combobox", { name: "Theme", exact: true }).selectOption(theme);
    const ratio = await row.locator("p mark").first().evaluate((mark) => {
      const style = getComputedStyle(mark);
      const luminance = (rgb: string) => {
        const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => Number(c) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const [x, y] = [luminance(style.color), luminance(style.backgroundColor)].sort((p, q) => q - p);
      return (x! + 0.05) / (y! + 0.05);
    });
    expect(ratio, theme).toBeGreaterThanOrEqual(4.5);
  }
  // A title match marks the words in the title.
  await chat.page.getByRole("searchbox", { name: "Search threads", exact: true }).fill("expedit");
  await expect(links(chat.page).first().locator("mark")).toHaveText(["expedition"]);
});

test("the list pages past its first page (load more, and by scrolling)", async ({ chat, stack }) => {
  for (let i = 0; i < 120; i++) await stack.seedThread({ title: `Thread ${String(i).padStart(3, "0")}`, at: new Date(Date.now() - (i + 1) * 60_000).toISOString(), messages: [] });
  await chat.open();
  await expect(links(chat.page)).toHaveCount(50);
  await chat.button("Load more").click();
  await expect(links(chat.page)).toHaveCount(100);
  // Infinite scroll: the end of the list in view loads the rest.
  // (Scrolled again while polling: on a loaded machine the page may land after the first scroll.)
  await expect
    .poll(async () => {
      await links(chat.page).last().scrollIntoViewIfNeeded();
      await threadList(chat.page).evaluate((nav) => void nav.scrollTo(0, nav.scrollHeight));
      return links(chat.page).count();
    })
    .toBe(120);
  await expect(links(chat.page).last()).toHaveText("Thread 119");
  await expect(chat.button("Load more")).toHaveCount(0);
  const titles = await links(chat.page).allTextContents();
  expect(new Set(titles).size).toBe(120);
  // A search pages too.
  await chat.page.getByRole("searchbox", { name: "Search threads", exact: true }).fill("thread");
  await expect(links(chat.page)).toHaveCount(50);
  await chat.button("Load more").click();
  await expect(links(chat.page)).toHaveCount(100);
});

test("the sidebar collapses on a wide screen and stays collapsed across reloads", async ({ chat, stack }) => {
  await stack.seedThread({ title: "Kept thread", messages: [] });
  await chat.open();
  await expect(threadList(chat.page)).toBeVisible();
  await chat.button("Hide threads").click();
  await expect(threadList(chat.page)).toBeHidden();
  await expect(chat.button("Show threads")).toBeFocused();
  await chat.screenshot("threads-collapsed");
  await chat.page.waitForTimeout(300);
  await chat.page.reload();
  await expect(chat.composer).toBeVisible();
  await expect(threadList(chat.page)).toBeHidden();
  await chat.button("Show threads").click();
  await expect(threadList(chat.page)).toBeVisible();
  await expect(links(chat.page)).toHaveText(["Kept thread"]);
  await chat.page.reload();
  await expect(threadList(chat.page)).toBeVisible();
});

test("each thread is one Tab stop; arrows move between threads, Right arrow and the context-menu key open its options", async ({ chat, stack }) => {
  await stack.seedThread({ title: "Second", at: daysAgo(2), messages: [] });
  await stack.seedThread({ title: "First", at: daysAgo(1), messages: [] });
  await chat.open();
  const [first, second] = [threadList(chat.page).getByRole("link", { name: "First", exact: true }), threadList(chat.page).getByRole("link", { name: "Second", exact: true })];
  await first.focus();
  await chat.page.keyboard.press("Tab");
  await expect(second).toBeFocused();
  await chat.page.keyboard.press("Shift+Tab");
  await expect(first).toBeFocused();
  await chat.page.keyboard.press("ArrowDown");
  await expect(second).toBeFocused();
  await chat.page.keyboard.press("ArrowUp");
  await expect(first).toBeFocused();
  await chat.page.keyboard.press("ArrowRight");
  const menu = chat.page.getByRole("menu", { name: "Thread options", exact: true });
  await expect(menu.getByRole("menuitem", { name: "Rename", exact: true })).toBeFocused();
  await chat.page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "Pin", exact: true })).toBeFocused();
  await chat.page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(first).toBeFocused();
  await chat.page.keyboard.press("ContextMenu");
  await expect(menu.getByRole("menuitem", { name: "Rename", exact: true })).toBeFocused();
  await chat.page.keyboard.press("ArrowDown");
  await chat.page.keyboard.press("Enter");
  // Pinned; focus back on the thread.
  await expect(links(chat.page)).toHaveText(["First", "Second"]);
  await expect.poll(() => groupOf(threadList(chat.page), "First")).toBe("Pinned");
  await expect(first).toBeFocused();
  // The options buttons are not Tab stops.
  for (const button of await threadList(chat.page).getByRole("button", { name: "Thread options", exact: true }).all()) await expect(button).toHaveAttribute("tabindex", "-1");
});

test("on a phone every control of the thread list is at least 44 × 44 px", async ({ chat, stack, page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await stack.seedThread({ title: "Pinned on the phone", at: daysAgo(1), messages: [] });
  for (let i = 0; i < 3; i++) await stack.seedThread({ title: `Phone thread ${i}`, at: daysAgo(2 + i), messages: [] });
  await chat.open();
  await chat.button("Show threads").click();
  await expect(threadList(page)).toBeVisible();
  await options(page, "Pinned on the phone", "Pin");
  await expect(links(page).first()).toHaveText("Pinned on the phone");
  const controls = [...(await threadList(page).getByRole("link").all()), ...(await threadList(page).getByRole("button").all()), page.getByRole("complementary").getByRole("button", { name: "New chat", exact: true }), page.getByRole("searchbox", { name: "Search threads", exact: true })];
  const small: string[] = [];
  for (const control of controls) {
    const box = await control.boundingBox();
    if (!box || box.height < 44 || box.width < 44) small.push(`${await control.evaluate((e) => e.outerHTML.slice(0, 80))}: ${box?.width}×${box?.height}`);
  }
  expect(small).toEqual([]);
  // The collapse control is for wide screens only.
  await expect(chat.button("Hide threads")).toBeHidden();
  await page.mouse.move(380, 600);
  await chat.screenshot("threads-phone");
  await threadList(page).getByRole("button", { name: "Thread options", exact: true }).first().click();
  for (const item of await page.getByRole("menu", { name: "Thread options", exact: true }).getByRole("menuitem").all()) expect((await item.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await chat.screenshot("threads-phone-menu");
});
