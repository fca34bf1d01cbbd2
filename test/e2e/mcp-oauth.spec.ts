/// <reference lib="dom" />
import type { Locator, Page } from "@playwright/test";
import { startOAuthMcpServer, type OAuthMcpServer } from "../mcp/oauth-server.js";
import { expect, test, type ChatPage } from "./fixtures.js";

/**
 * Signing in to an OAuth-protected MCP server from the MCP dialog, against our own OAuth MCP server on 127.0.0.1
 * (test/mcp/oauth-server.ts: dynamic registration, PKCE, an authorization page that approves at once): Sign in
 * opens a popup, which comes back to the app's callback, tells the dialog and closes; Disconnect revokes and
 * forgets the tokens; a server without dynamic registration takes a Client ID and Client secret.
 */

let oauth: OAuthMcpServer;
let fixed: OAuthMcpServer;
test.beforeAll(async () => {
  oauth = await startOAuthMcpServer();
  fixed = await startOAuthMcpServer({ registration: false, fixedClient: { id: "e2e-fixed-client", secret: "e2e-fixed-secret" } });
});
test.afterAll(async () => {
  await oauth?.close();
  await fixed?.close();
});

async function openDialog(chat: ChatPage): Promise<Locator> {
  await chat.button("MCP servers").click();
  const dialog = chat.page.getByRole("dialog", { name: "MCP servers", exact: true });
  await expect(dialog).toBeVisible();
  return dialog;
}

test("Sign in opens a popup that signs in and closes; the tools are there; Disconnect forgets the tokens", async ({ chat }) => {
  test.setTimeout(60_000);
  await chat.open();
  const dialog = await openDialog(chat);
  await dialog.getByRole("button", { name: "Add server", exact: true }).click();
  await dialog.getByRole("textbox", { name: "Server name", exact: true }).fill("secure");
  await dialog.getByRole("textbox", { name: "Server URL", exact: true }).fill(oauth.url);
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  const server = dialog.getByRole("region", { name: "secure", exact: true });
  await expect(server.getByRole("status")).toHaveText("Sign-in needed: this server uses OAuth.");
  await expect(server).toContainText("not signed in");
  await chat.screenshot("mcp-oauth-needs-sign-in");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("mcp-oauth-needs-sign-in-phone");
  await chat.page.setViewportSize({ width: 1280, height: 800 });

  const opened = chat.page.waitForEvent("popup");
  await server.getByRole("button", { name: "Sign in", exact: true }).click();
  const popup = await opened;
  await closed(popup);
  // The window closes itself once signed in.
  expect(popup.isClosed()).toBe(true);
  await expect(server.getByRole("status")).toHaveText("Connected, 2 tools");
  await expect(server).toContainText("signed in");
  await expect(server.getByRole("switch", { name: "whoami", exact: true })).toBeVisible();
  await chat.screenshot("mcp-oauth-signed-in");

  await server.getByRole("button", { name: "Disconnect", exact: true }).click();
  await expect(server.getByRole("status")).toHaveText("Sign-in needed: this server uses OAuth.");
  await expect(server.getByRole("button", { name: "Disconnect", exact: true })).toHaveCount(0);
  // The authorization server revoked the tokens (RFC 7009), and the dialog says so.
  await expect(server.getByText("Disconnected: the server revoked this app's access.")).toBeVisible();
  expect(oauth.revoked.map((r) => r.hint)).toEqual(["refresh_token", "access_token"]);
  await chat.screenshot("mcp-oauth-disconnected");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("mcp-oauth-disconnected-phone");
  await chat.page.setViewportSize({ width: 1280, height: 800 });
  const listed = (await (await fetch(`${chat.stack.url}/api/mcp/servers`, { headers: { "x-requested-with": "fetch" } })).json()) as { servers: { oauth: { signedIn: boolean } }[] };
  expect(listed.servers[0]!.oauth.signedIn).toBe(false);
});

/** Waits for a sign-in window to close, unless it already has (it may close before the wait begins, on a busy machine). */
async function closed(popup: Page): Promise<void> {
  if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 15_000 }).catch(() => undefined);
}

test("a server without dynamic registration: Sign in says to enter a Client ID; with it (and the secret, shown only as set) sign-in works", async ({ chat }) => {
  test.setTimeout(60_000);
  await chat.open();
  const dialog = await openDialog(chat);
  await dialog.getByRole("button", { name: "Add server", exact: true }).click();
  await dialog.getByRole("textbox", { name: "Server name", exact: true }).fill("fixed");
  await dialog.getByRole("textbox", { name: "Server URL", exact: true }).fill(fixed.url);
  await dialog.getByRole("button", { name: "OAuth client ID...", exact: true }).click();
  await expect(dialog.getByRole("textbox", { name: "Client ID", exact: true })).toBeVisible();
  await chat.screenshot("mcp-oauth-add-client");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("mcp-oauth-add-client-phone");
  await chat.page.setViewportSize({ width: 1280, height: 800 });
  // Typed without its id first: said in words.
  await dialog.getByRole("textbox", { name: "Client secret", exact: true }).fill("e2e-fixed-secret");
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Enter the Client ID to go with the secret, or leave both empty.");
  await dialog.getByRole("textbox", { name: "Client secret", exact: true }).fill("");
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();

  const server = dialog.getByRole("region", { name: "fixed", exact: true });
  await expect(server.getByRole("status")).toHaveText("Sign-in needed: this server uses OAuth.");
  const opened = chat.page.waitForEvent("popup");
  await server.getByRole("button", { name: "Sign in", exact: true }).click();
  await closed(await opened);
  await expect(server.getByRole("alert")).toContainText("does not let apps register themselves");

  await server.getByRole("button", { name: "Set client ID", exact: true }).click();
  await server.getByRole("textbox", { name: "Client ID", exact: true }).fill("e2e-fixed-client");
  await server.getByRole("textbox", { name: "Client secret", exact: true }).fill("e2e-fixed-secret");
  await server.getByRole("button", { name: "Save client", exact: true }).click();
  await expect(server).toContainText("Client ID: e2e-fixed-client");
  await expect(server).toContainText("Client secret: set");
  await expect(server).not.toContainText("e2e-fixed-secret");
  const signIn = chat.page.waitForEvent("popup");
  await server.getByRole("button", { name: "Sign in", exact: true }).click();
  await closed(await signIn);
  await expect(server.getByRole("status")).toHaveText("Connected, 2 tools");
  await chat.screenshot("mcp-oauth-client-signed-in");
  await chat.page.setViewportSize({ width: 390, height: 844 });
  await chat.screenshot("mcp-oauth-client-signed-in-phone");
});
