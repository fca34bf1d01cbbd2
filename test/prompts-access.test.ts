import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { asSession, sessionCookie, signIn, startChatServer, type ChatServer, type Session } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

useBedrockEmulator();

const ADMIN = { email: "admin@example.com", password: "the admin's passphrase" };
const USER = { email: "user@example.com", password: "the user's passphrase" };

/** The Prompts page's routes are for admins only (issue 13), on each storage engine; a user changes nothing. */
describe.each(databases)("prompt routes on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let admin: Session;
  let user: Session;
  beforeAll(async () => {
    server = await startChatServer({ authMode: "local", database: await kind.location() });
    const setup = await server.api("POST", "/auth/setup", { ...ADMIN, token: server.app.setupToken });
    admin = asSession(server, sessionCookie(setup.headers));
    await admin.api("POST", "/api/admin/users", USER);
    user = await signIn(server, USER.email, USER.password);
  });
  afterAll(async () => server?.close());

  const routes: [string, string, unknown?][] = [
    ["GET", "/api/admin/prompts"],
    ["GET", "/api/admin/prompt?name=fllm-default"],
    ["GET", "/api/admin/prompt/version?name=fllm-default&version=1"],
    ["PUT", "/api/admin/prompt/draft", { name: "fllm-default", text: "a user's text" }],
    ["POST", "/api/admin/prompt/versions", { name: "fllm-default", note: "by a user", text: "a user's text" }],
    ["PUT", "/api/admin/prompt/pin", { name: "fllm-default", version: 1 }],
  ];

  it("answers 403 to a user on every route and 401 without a session; the admin's prompt is unchanged", async () => {
    for (const [method, path, body] of routes) {
      expect((await user.api(method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await server.api(method, path, body)).status, `${method} ${path} signed out`).toBe(401);
    }
    const detail = (await admin.api("GET", "/api/admin/prompt?name=fllm-default")).body.prompt;
    expect(detail.draft.text).toBe("You are a helpful assistant. Today is {{TODAY}}.");
    expect(detail.versions).toHaveLength(1);
    expect((await admin.api("GET", "/api/admin/audit")).body.entries.filter((e: { action: string }) => e.action.startsWith("prompt."))).toEqual([]);
  });

  it("serves the admin, and the Settings panel's prompt to everyone signed in", async () => {
    expect((await admin.api("GET", "/api/admin/prompts")).status).toBe(200);
    const preview = await user.api("GET", "/api/system-prompt");
    expect(preview.status).toBe(200);
    expect(preview.body.systemPrompt).toMatchObject({ source: "prompt", version: 1 });
    // Another user's thread is not found, as any other thread route.
    const thread = (await admin.api("POST", "/api/threads", {})).body.thread.id;
    expect((await user.api("GET", `/api/threads/${thread}/system-prompt`)).status).toBe(404);
    expect((await user.api("POST", `/api/threads/${thread}/system-prompt/latest`, {})).status).toBe(404);
  });
});
