/// <reference lib="dom" />
import type { Page } from "@playwright/test";
import sharp from "sharp";
import { expect, test, type ChatPage } from "./fixtures.js";
import { withoutCachePoints } from "../helpers/cache-points.js";

/** A 320 × 200 PNG with a gradient (so a thumbnail shows something), made here, not read from a fixture. */
async function samplePng(width = 320, height = 200): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.round((x / width) * 255);
      pixels[i + 1] = Math.round((y / height) * 200) + 30;
      pixels[i + 2] = 180;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** The smallest valid PNG (1 × 1), as a literal. */
const TINY_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
const NOTES = Buffer.from("# Meeting notes\n\n- Ship the attachments feature\n- Check the screenshots\n", "utf8");

async function attachByButton(chat: ChatPage, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  const chooser = chat.page.waitForEvent("filechooser");
  await chat.button("Attach files").click();
  await (await chooser).setFiles(files);
}

/** Drags files from outside the page onto the conversation, as the browser does: dragenter, dragover, drop. */
async function dropFiles(page: Page, files: { name: string; type: string; base64: string }[], options: { drop: boolean } = { drop: true }) {
  await page.evaluate(
    ({ files, drop }) => {
      const data = new DataTransfer();
      for (const f of files) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      const target = document.querySelector("main")!;
      target.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      if (drop) target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { files, drop: options.drop },
  );
}

/** Pastes an image into the message box, as a screenshot copied to the clipboard would. */
async function pasteImage(page: Page, file: { name: string; type: string; base64: string }) {
  await page.evaluate((f) => {
    const data = new DataTransfer();
    data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    document.querySelector("textarea")!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, file);
}

type Block = Record<string, Record<string, unknown>>;
/** The content blocks of the last user message of a Converse request (the question being answered). */
const userBlocks = (body: Record<string, unknown>) => (withoutCachePoints(body)["messages"] as { role: string; content: Block[] }[]).filter((m) => m.role === "user").at(-1)!.content;

test("files attached by button, drag and drop and paste are sent, shown in the message after a reload, and the image opens full size", async ({ chat, stack, page }) => {
  const png = await samplePng();
  // Thumbnails of pending images are object URLs (blob:), sent ones the download URL: the CSP allows both.
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await chat.open();
  await chat.composer.fill("What do these show?");

  await attachByButton(chat, [{ name: "photo.png", mimeType: "image/png", buffer: png }]);
  await expect(chat.button("Remove photo.png")).toBeVisible();

  await dropFiles(page, [{ name: "notes.md", type: "text/markdown", base64: NOTES.toString("base64") }], { drop: false });
  await expect(page.getByText("Drop files to attach them")).toBeVisible();
  await chat.screenshot("attachments-drop-zone");
  await dropFiles(page, [{ name: "notes.md", type: "text/markdown", base64: NOTES.toString("base64") }]);
  await expect(page.getByText("Drop files to attach them")).toBeHidden();
  await expect(chat.button("Remove notes.md")).toBeVisible();

  await pasteImage(page, { name: "image.png", type: "image/png", base64: TINY_PNG.toString("base64") });
  await expect(chat.button("Remove image.png")).toBeVisible();

  // Uploaded: no progress left, sizes shown (MB = 1,000,000 bytes, as formatSize writes them), the text untouched.
  const chips = page.getByRole("list", { name: "Attached files", exact: true });
  await expect(chips.getByRole("progressbar")).toHaveCount(0);
  await expect(chips.getByRole("listitem")).toHaveCount(3);
  await expect(chips.getByRole("listitem").filter({ hasText: "notes.md" })).toContainText(`${NOTES.length} bytes · MD`);
  await expect(chips.getByRole("listitem").filter({ hasText: "photo.png" })).toContainText(/[\d.]+ KB · PNG/);
  await expect(chat.composer).toHaveValue("What do these show?");
  await chat.screenshot("attachments-pending");
  await page.setViewportSize({ width: 375, height: 740 });
  await chat.screenshot("attachments-pending-phone");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Removing one before sending leaves it out.
  await chat.button("Remove image.png").click();
  await expect(chips.getByRole("listitem")).toHaveCount(2);

  await chat.button("Send").click();
  await expect(chat.answers.first()).toContainText("Echo: What do these show?");
  await chat.waitIdle();
  await expect(chips).toBeHidden();
  const content = userBlocks(stack.emulator.requests.at(-1)!.body);
  expect(content.map((b) => Object.keys(b)[0])).toEqual(["text", "image", "document"]);
  expect(content[1]!["image"]).toMatchObject({ format: "png", source: { bytes: png.toString("base64") } });
  expect(content[2]!["document"]).toMatchObject({ format: "md", name: "notes" });

  const question = chat.questions.first();
  const check = async () => {
    const thumb = question.getByRole("button", { name: "View photo.png full size", exact: true });
    await expect(thumb).toBeVisible();
    await expect.poll(() => thumb.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    const download = question.getByRole("link", { name: "Download notes.md", exact: true });
    await expect(download).toBeVisible();
    await expect(download).toContainText(`${NOTES.length} bytes · MD`);
    const href = await download.getAttribute("href");
    const response = await page.request.get(stack.url + href!);
    expect(response.headers()["content-disposition"]).toMatch(/^attachment;/);
    expect(Buffer.from(await response.body()).equals(NOTES)).toBe(true);
  };
  await check();
  await chat.screenshot("attachments-sent");
  await page.reload();
  await expect(chat.composer).toBeVisible();
  await check();

  // Full size, by keyboard: Enter opens, Esc closes, focus comes back to the thumbnail.
  const thumb = question.getByRole("button", { name: "View photo.png full size", exact: true });
  await thumb.focus();
  await page.keyboard.press("Enter");
  const viewer = page.getByRole("dialog", { name: "photo.png", exact: true });
  await expect(viewer).toBeVisible();
  await expect.poll(() => viewer.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
  await chat.screenshot("attachments-viewer");
  await page.keyboard.press("Escape");
  await expect(viewer).toBeHidden();
  await expect(thumb).toBeFocused();

  await page.setViewportSize({ width: 375, height: 740 });
  await expect(thumb).toBeVisible();
  await chat.screenshot("attachments-sent-phone");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(violations).toEqual([]);
});

test("a slow upload shows its progress bar, named after the file, and Send waits for it", async ({ chat, stack, page }) => {
  await chat.open();
  await chat.composer.fill("Summarize the log");
  // Chromium's own throttling, as DevTools does it: about 64 KB a second up.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
  const log = Buffer.from("2025-01-01 12:00:00 INFO everything is fine\n".repeat(6000), "utf8");
  await attachByButton(chat, [{ name: "server.log.txt", mimeType: "text/plain", buffer: log }]);
  const progress = page.getByRole("progressbar", { name: "server.log.txt", exact: true });
  await expect(progress).toBeVisible();
  await expect(chat.button("Send")).toBeDisabled();
  await expect.poll(async () => Number(await progress.getAttribute("aria-valuenow")), { timeout: 10_000 }).toBeGreaterThan(0);
  await chat.screenshot("attachments-uploading");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await expect(progress).toBeHidden({ timeout: 15_000 });
  await expect(chat.button("Send")).toBeEnabled();
  await chat.button("Send").click();
  await chat.waitIdle();
  expect(userBlocks(stack.emulator.requests.at(-1)!.body).map((b) => Object.keys(b)[0])).toEqual(["text", "document"]);
});

test("refused files: the error names the file and what is allowed, and the typed text stays", async ({ chat, stack, page }) => {
  const uploads: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/attachments") && r.method() === "POST") uploads.push(r.url());
  });
  await chat.open();
  await chat.composer.fill("keep this text");

  // A program: refused before uploading.
  await attachByButton(chat, [{ name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ\u0090\u0000 not really a program") }]);
  const alert = page.getByRole("alert").filter({ hasText: "setup.exe" });
  await expect(alert).toContainText("setup.exe is not a file you can attach (.exe). Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, CSV, DOC, DOCX, XLS, XLSX, HTML, TXT, MD).");
  await expect(chat.composer).toHaveValue("keep this text");
  await alert.getByRole("button", { name: "Dismiss", exact: true }).click();
  await expect(alert).toBeHidden();

  // An image on a profile without vision: refused, naming the profiles that take images.
  await chat.selectProfile("Amazon Nova Micro");
  await attachByButton(chat, [{ name: "photo.png", mimeType: "image/png", buffer: TINY_PNG }]);
  const refused = page.getByRole("alert").filter({ hasText: "photo.png" });
  await expect(refused).toContainText('photo.png is an image, and profile "Amazon Nova Micro" does not take images. Profiles that do: Claude Sonnet 4.5, Claude Haiku 4.5, Claude 3.7 Sonnet,');
  await expect(chat.button("Remove photo.png")).toHaveCount(0);
  await expect(chat.composer).toHaveValue("keep this text");
  await chat.screenshot("attachments-refused");
  expect(uploads).toEqual([]);

  // A document on it too: Nova Micro is text only (AWS's feature table), so a PDF is refused before uploading.
  await attachByButton(chat, [{ name: "fake.pdf", mimeType: "application/pdf", buffer: TINY_PNG }]);
  await expect(page.getByRole("alert").filter({ hasText: "fake.pdf" })).toContainText('fake.pdf is a document, and profile "Amazon Nova Micro" does not take documents. Profiles that do: Claude Sonnet 4.5,');
  expect(uploads).toEqual([]);
  await page.getByRole("alert").filter({ hasText: "fake.pdf" }).getByRole("button", { name: "Dismiss", exact: true }).click();

  // The server's refusal (the content is not what the name says) shows in the same place, in the server's words.
  await chat.selectProfile("Claude 3.7 Sonnet");
  await attachByButton(chat, [{ name: "fake.pdf", mimeType: "application/pdf", buffer: TINY_PNG }]);
  await expect(page.getByRole("alert").filter({ hasText: "fake.pdf" })).toContainText("fake.pdf is a PNG image, not a PDF");
  await expect(chat.button("Remove fake.pdf")).toHaveCount(0);
  expect(uploads).toHaveLength(1);

  // Attached on a profile with vision, then switched to one without: said at once, the file stays, Send refuses.
  await chat.selectProfile("Claude 3.7 Sonnet");
  await attachByButton(chat, [{ name: "photo.png", mimeType: "image/png", buffer: TINY_PNG }]);
  await expect(chat.button("Remove photo.png")).toBeVisible();
  await expect(page.getByRole("progressbar")).toHaveCount(0);
  await chat.selectProfile("Amazon Nova Micro");
  await expect(page.getByRole("status").filter({ hasText: "photo.png" })).toContainText('Profile "Amazon Nova Micro" does not take images: photo.png stays attached but cannot be sent to it.');
  await expect(chat.button("Remove photo.png")).toBeVisible();
  await chat.screenshot("attachments-switch-note");
  await chat.button("Send").click();
  await expect(page.getByRole("alert").filter({ hasText: "does not take images" })).toContainText('photo.png is an image, and profile "Amazon Nova Micro" does not take images.');
  await expect(chat.composer).toHaveValue("keep this text");
  expect(stack.emulator.requests).toHaveLength(0);

  // Back on a profile with vision, the same message goes.
  await chat.selectProfile("Claude 3.7 Sonnet");
  await expect(page.getByRole("status").filter({ hasText: "photo.png" })).toHaveCount(0);
  await chat.button("Send").click();
  await expect(chat.answers.first()).toContainText("Echo: keep this text");
  await chat.waitIdle();
});

test("editing a message keeps or removes its files; a files-only message can be sent", async ({ chat, stack }) => {
  await chat.open();
  await attachByButton(chat, [
    { name: "photo.png", mimeType: "image/png", buffer: await samplePng(120, 90) },
    { name: "notes.md", mimeType: "text/markdown", buffer: NOTES },
  ]);
  await expect(chat.page.getByRole("progressbar")).toHaveCount(0);
  await expect(chat.button("Send")).toBeEnabled();
  await chat.button("Send").click();
  await chat.waitIdle();
  expect(userBlocks(stack.emulator.requests.at(-1)!.body).map((b) => Object.keys(b)[0])).toEqual(["text", "image", "document"]);

  await chat.questions.first().getByRole("button", { name: "Edit", exact: true }).click();
  await expect(chat.button("Remove photo.png")).toBeVisible();
  await chat.screenshot("attachments-edit");
  await chat.button("Remove notes.md").click();
  await chat.page.getByRole("textbox", { name: "Edit message", exact: true }).fill("Only the photo now");
  await chat.button("Save and send").click();
  await expect(chat.answers.first()).toContainText("Echo: Only the photo now");
  await chat.waitIdle();
  expect(userBlocks(stack.emulator.requests.at(-1)!.body).map((b) => Object.keys(b)[0])).toEqual(["text", "image"]);
  await expect(chat.questions.first().getByRole("button", { name: "View photo.png full size", exact: true })).toBeVisible();
  await expect(chat.questions.first().getByRole("link", { name: "Download notes.md", exact: true })).toHaveCount(0);

  // Regenerate sends the files again.
  await chat.answers.first().getByRole("button", { name: "Regenerate", exact: true }).click();
  await chat.waitIdle();
  expect(userBlocks(stack.emulator.requests.at(-1)!.body).map((b) => Object.keys(b)[0])).toEqual(["text", "image"]);
});
