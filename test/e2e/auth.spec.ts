import { join } from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { OidcClient } from "../../src/auth/oidc.js";
import { signInErrorMessages, unknownSignInErrorMessage } from "../../src/shared/signin-errors.js";
import { ROOT } from "../../src/server/web-build.js";
import { startBedrockEmulator, type BedrockEmulator } from "../emulator/server.js";
import { startChatServer, type ChatServer } from "../helpers/chat-server.js";
import { emulatorEnv } from "../helpers/emulator-env.js";
import { freePort } from "../helpers/postgres.js";
import { startIdentityProvider, type TestIdentityProvider } from "../oidc/provider.js";

const webRoot = join(ROOT, "web", "dist");
const shot = (page: Page, name: string) => page.screenshot({ path: join(ROOT, "test", "e2e", "screenshots", `${name}.png`), animations: "disabled" });

const test = base.extend<{ emulator: BedrockEmulator }>({
  emulator: async ({}, use) => {
    const emulator = await startBedrockEmulator();
    Object.assign(process.env, emulatorEnv(emulator.url));
    await use(emulator);
    await emulator.close();
  },
});

async function closeServer(server: ChatServer): Promise<void> {
  server.app.server.closeAllConnections();
  await server.close();
}

const field = (page: Page, name: string) => page.getByLabel(name, { exact: true });
const button = (page: Page, name: string) => page.getByRole("button", { name, exact: true });
const composer = (page: Page) => page.getByRole("textbox", { name: "Message", exact: true });

test("local accounts: first-run admin, wrong password keeps the email, sign out, admin adds a user, usage and audit", async ({ page, emulator }) => {
  void emulator;
  const server = await startChatServer({ authMode: "local", webRoot, signInAttemptsPerIp: 1000 });
  try {
    // A visitor without the setup link cannot create the admin.
    await page.goto(`${server.url}/setup`);
    await expect(page.getByRole("alert")).toContainText("setup link printed in the server log");
    await page.goto(`${server.url}/setup?token=${server.app.setupToken}`);
    await field(page, "Email").fill("admin@example.com");
    await field(page, "Password").fill("short");
    await button(page, "Create admin account").click();
    // The browser's own check (minlength) stops it first; a password the server refuses shows its message.
    await field(page, "Password").fill("password1234");
    await button(page, "Create admin account").click();
    await expect(page.getByRole("alert")).toContainText("too common");
    await expect(field(page, "Email")).toHaveValue("admin@example.com");
    await expect(field(page, "Password")).toHaveValue("");
    await field(page, "Password").fill("a long admin passphrase");
    await button(page, "Create admin account").click();
    await expect(composer(page)).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/");

    await composer(page).fill("hello there");
    await button(page, "Send").click();
    await expect(page.getByRole("article", { name: "Assistant", exact: true })).toHaveCount(1);
    await expect(page.locator("main")).toHaveAttribute("data-state", "idle");

    await button(page, "Account").click();
    await expect(page.getByRole("menu", { name: "Account" })).toContainText("Signed in as admin@example.com");
    await expect(page.getByRole("menuitem", { name: "Sign out everywhere" })).toBeInViewport();
    await shot(page, "account-menu");
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await expect(button(page, "Sign in")).toBeVisible();

    await field(page, "Email").fill("admin@example.com");
    await field(page, "Password").fill("not the password");
    await button(page, "Sign in").click();
    await expect(page.getByRole("alert")).toContainText("The email or password is not right");
    await expect(field(page, "Email")).toHaveValue("admin@example.com");
    await expect(field(page, "Password")).toHaveValue("");
    await shot(page, "sign-in-error");
    await field(page, "Password").fill("a long admin passphrase");
    await button(page, "Sign in").click();
    await expect(composer(page)).toBeVisible();

    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expect(page.getByRole("navigation", { name: "Admin" })).toBeVisible();
    const users = page.getByRole("table", { name: "Users" });
    await expect(users).toContainText("admin@example.com");
    await button(page, "Add user").click();
    const dialog = page.getByRole("dialog", { name: "Add user" });
    await dialog.getByLabel("Email", { exact: true }).fill("bob@example.com");
    await dialog.getByLabel("Name", { exact: true }).fill("Bob");
    await dialog.getByLabel("Password", { exact: true }).fill("bob's long password");
    await dialog.getByRole("button", { name: "Add user" }).click();
    await expect(users).toContainText("bob@example.com");
    // Each user's storage of files (none yet).
    await expect(users.getByRole("columnheader", { name: "Files" })).toBeVisible();
    await expect(users.getByRole("row", { name: /bob@example\.com/ })).toContainText("0 bytes");
    await expect(page.getByRole("table", { name: "Audit log" })).toContainText("user.created");
    await expect(page.getByRole("img", { name: /Cost per day over the last 30 days/ })).toBeVisible();
    await expect(page.getByRole("table", { name: "By user and model" })).toContainText("admin@example.com");

    await button(page, "Actions for bob@example.com").click();
    await page.getByRole("menuitem", { name: "Disable" }).click();
    await expect(users.getByRole("row", { name: /bob@example.com/ })).toContainText("Disabled");
    await shot(page, "admin");
    await page.setViewportSize({ width: 375, height: 800 });
    await shot(page, "admin-phone");
  } finally {
    await closeServer(server);
  }
});

test("sign out everywhere ends the session in another browser, which shows the sign-in page and keeps the draft", async ({ browser, emulator }) => {
  void emulator;
  const server = await startChatServer({ authMode: "local", webRoot, signInAttemptsPerIp: 1000 });
  try {
    await server.api("POST", "/auth/setup", { email: "ana@example.com", password: "ana's long password", token: server.app.setupToken });
    const signIn = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url);
      await field(page, "Email").fill("ana@example.com");
      await field(page, "Password").fill("ana's long password");
      await button(page, "Sign in").click();
      await expect(composer(page)).toBeVisible();
      return page;
    };
    const laptop = await signIn();
    const phone = await signIn();
    await button(laptop, "Account").click();
    await laptop.getByRole("menuitem", { name: "Sign out everywhere" }).click();
    await expect(button(laptop, "Sign in")).toBeVisible();
    await composer(phone).fill("a draft typed before the session ended");
    await button(phone, "Send").click();
    await expect(phone.getByText("Your session has ended")).toBeVisible();
    await field(phone, "Email").fill("ana@example.com");
    await field(phone, "Password").fill("ana's long password");
    await button(phone, "Sign in").click();
    await expect(composer(phone)).toHaveValue("a draft typed before the session ended");
  } finally {
    await closeServer(server);
  }
});

test.describe("single sign-on", () => {
  let idp: TestIdentityProvider;
  let server: ChatServer;
  test.beforeEach(async ({ emulator }) => {
    void emulator;
    const [idpPort, appPort] = [await freePort(), await freePort()];
    const appUrl = `http://127.0.0.1:${appPort}`;
    idp = await startIdentityProvider({ port: idpPort, clientId: "chat", clientSecret: "secret", redirectUri: `${appUrl}/auth/callback`, postLogoutRedirectUri: `${appUrl}/` });
    idp.accounts.set("carol", { email: "carol@corp.example", email_verified: true, name: "Carol" });
    // The provider does not say whether this email is verified (no email_verified claim).
    idp.accounts.set("dave", { email: "dave@corp.example", name: "Dave" });
    const oidc = new OidcClient({ issuer: idp.issuer, clientId: "chat", clientSecret: "secret", redirectUri: `${appUrl}/auth/callback`, postLogoutRedirectUri: `${appUrl}/`, allowedEmailDomains: ["corp.example"], allowInsecure: true });
    server = await startChatServer({ authMode: "oidc", oidc, port: appPort, webRoot, signInAttemptsPerIp: 1000 });
  });
  test.afterEach(async () => {
    await closeServer(server);
    await idp.close();
  });

  test("signs in through the provider's page and signs out of both", async ({ page }) => {
    await page.goto(server.url);
    await shot(page, "sign-in-sso");
    await button(page, "Sign in with SSO").click();
    await page.getByLabel("Username").fill("carol");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(composer(page)).toBeVisible();
    await button(page, "Account").click();
    await expect(page.getByRole("menu", { name: "Account" })).toContainText("carol@corp.example");
    // The first account of a provider without an admin group is the admin.
    await expect(page.getByRole("link", { name: "Admin" })).toBeVisible();
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await expect(button(page, "Sign in with SSO")).toBeVisible();
    expect(idp.logouts).toBe(1);
    // Signing in again asks the provider for the user again: its session ended too.
    await button(page, "Sign in with SSO").click();
    await expect(page.getByLabel("Username")).toBeVisible();
  });

  test("a refused sign-in shows the message of the server's code; any other text in the URL shows a generic message", async ({ page }) => {
    await page.goto(server.url);
    await button(page, "Sign in with SSO").click();
    await page.getByLabel("Username").fill("dave");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("alert")).toHaveText(signInErrorMessages.email_unverified);
    expect(new URL(page.url()).search).toBe("?signin_error=email_unverified");
    await expect(button(page, "Sign in with SSO")).toBeVisible();
    await shot(page, "sign-in-sso-error");
    await page.setViewportSize({ width: 375, height: 800 });
    await shot(page, "sign-in-sso-error-phone");

    const injected = ["<script>alert(1)</script>", "Your account is suspended, call +1 555 0100 to restore it", "constructor"];
    for (const text of injected) {
      await page.goto(`${server.url}/?signin_error=${encodeURIComponent(text)}`);
      await expect(page.getByRole("alert")).toHaveText(unknownSignInErrorMessage);
      await expect(page.getByText(text)).toHaveCount(0);
    }
    await page.goto(`${server.url}/?signin_error=disabled`);
    await expect(page.getByRole("alert")).toHaveText("This account is disabled. Ask an administrator to enable it.");
  });
});
