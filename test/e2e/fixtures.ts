import { test as base, expect, type Page } from "@playwright/test";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../../src/config/load.js";
import { BedrockProvider } from "../../src/providers/bedrock/provider.js";
import { buildApp } from "../../src/server/app.js";
import { ROOT } from "../../src/server/web-build.js";
import type { MessageMeta } from "../../src/shared/api.js";
import type { Part } from "../../src/shared/parts.js";
import { openDatabase, type Db } from "../../src/store/db.js";
import { insertMessage, updateMessage } from "../../src/store/messages.js";
import { createThread, updateThread } from "../../src/store/threads.js";
import { ensureLocalUser } from "../../src/store/users.js";
import { startBedrockEmulator, type BedrockEmulator } from "../emulator/server.js";
import { emulatorEnv } from "../helpers/emulator-env.js";
import { loadSecretKeys } from "../../src/secrets/secret-box.js";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

interface Stack {
  url: string;
  emulator: BedrockEmulator;
  /** Stores a conversation as the server would have (no sign-in: the local user's), for states a script cannot reach. */
  seedThread(thread: SeededThread): Promise<string>;
}

export interface SeededThread {
  title: string;
  profile?: string;
  /** In order, each the child of the one before; the last is the active leaf. */
  messages: { role: "user" | "assistant"; parts: Part[]; modelId?: string; meta?: MessageMeta; cost?: string }[];
  /** threads (issue 12): when it was made and last active (ISO), for a list that spans days. */
  at?: string;
}

async function seedThread(db: Db, profile: string, thread: SeededThread): Promise<string> {
  const user = await ensureLocalUser(db);
  const created = await createThread(db, user.id, { title: thread.title, profile: thread.profile ?? profile, settings: {} });
  let parentId: string | null = null;
  for (const message of thread.messages) {
    const stored = await insertMessage(db, {
      ownerId: user.id,
      threadId: created.id,
      parentId,
      role: message.role,
      parts: message.parts,
      status: "complete",
      profile: thread.profile ?? profile,
      ...(message.modelId ? { modelId: message.modelId } : {}),
    });
    if (message.meta || message.cost) await updateMessage(db, user.id, stored.id, { parts: message.parts, status: "complete", ...(message.meta ? { meta: message.meta } : {}), ...(message.cost ? { cost: message.cost } : {}) });
    parentId = stored.id;
  }
  await updateThread(db, user.id, created.id, { activeLeafId: parentId });
  if (thread.at) await db.updateTable("threads").set({ created_at: thread.at, updated_at: thread.at, active_at: thread.at }).where("id", "=", created.id).execute();
  return created.id;
}

/**
 * Each test gets a fresh server (in-memory database) and emulator in the worker process, so a test can script
 * the model and read the exact requests Bedrock received.
 */
export const test = base.extend<{ stack: Stack; chat: ChatPage; secretKey: string | null }>({
  /**
   * The key MCP server headers are sealed with: on a laptop (AUTH_MODE=none) the server always has one (SECRET_KEY
   * or a key file); `test.use({ secretKey: null })` runs it as a shared server without SECRET_KEY.
   */
  secretKey: [randomBytes(32).toString("base64"), { option: true }],
  stack: async ({ secretKey }, use) => {
    const emulator = await startBedrockEmulator();
    Object.assign(process.env, emulatorEnv(emulator.url));
    const db = await openDatabase(":memory:");
    const provider = new BedrockProvider();
    const origins: string[] = [];
    const config = loadConfig(BUNDLED_CONFIG_PATH).config;
    const app = await buildApp({
      config,
      db,
      provider,
      origins,
      logLevel: "silent",
      flushMs: 50,
      titleGeneration: "off",
      shutdownGraceMs: 200,
      webRoot: join(ROOT, "web", "dist"),
      // "local" here only so that no key file is made when the test asks for no key.
      mcp: { keys: await loadSecretKeys({ env: secretKey ? { SECRET_KEY: secretKey } : {}, authMode: "local", dataDir: "" }) },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    origins.push(`http://127.0.0.1:${port}`, `http://localhost:${port}`);
    await use({ url: `http://localhost:${port}`, emulator, seedThread: (thread) => seedThread(db, config.defaultProfile.name, thread) });
    // The page may still hold connections (keep-alive, a stream): cut them, the test is over.
    const closing = app.close();
    app.server.closeAllConnections();
    await closing;
    await db.destroy();
    provider.clients.destroy();
    await emulator.close();
  },
  chat: async ({ page, stack }, use) => {
    await use(new ChatPage(page, stack));
  },
});

/** Page object for the chat screen: the steps tests repeat, by accessible names. */
export class ChatPage {
  constructor(
    readonly page: Page,
    readonly stack: Stack,
  ) {}

  async open(path = "/") {
    await this.page.goto(this.stack.url + path);
    await expect(this.composer).toBeVisible();
  }
  get composer() {
    return this.page.getByRole("textbox", { name: "Message", exact: true });
  }
  get conversation() {
    return this.page.getByRole("region", { name: "Conversation", exact: true });
  }
  get answers() {
    return this.conversation.getByRole("article", { name: "Assistant", exact: true });
  }
  get questions() {
    return this.conversation.getByRole("article", { name: "You", exact: true });
  }
  button(name: string) {
    return this.page.getByRole("button", { name, exact: true });
  }
  async send(text: string) {
    await this.composer.fill(text);
    await this.button("Send").click();
  }
  get profilePicker() {
    return this.page.getByRole("combobox", { name: "Chat profile", exact: true });
  }
  /** Picks a profile the way a mouse user does: open the picker, click the profile. */
  async selectProfile(name: string) {
    await this.profilePicker.click();
    await this.page.getByRole("listbox", { name: "Chat profiles", exact: true }).getByRole("option", { name, exact: true }).click();
    await expect(this.profilePicker).toHaveText(name);
  }
  /** Waits until nothing is loading, sending or generating. */
  async waitIdle() {
    await expect(this.page.locator("main")).toHaveAttribute("data-state", "idle");
    await expect(this.button("Send")).toBeVisible();
  }
  async screenshot(name: string) {
    // Transitions finished: a screenshot shows the state, not a frame of the animation toward it.
    await this.page.screenshot({ path: join(ROOT, "test", "e2e", "screenshots", `${name}.png`), animations: "disabled" });
  }
}

export { expect };
