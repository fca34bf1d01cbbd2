import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OidcClient } from "../src/auth/oidc.js";
import { BrowserLike } from "./helpers/browser-like.js";
import { startChatServer, type ChatServer } from "./helpers/chat-server.js";
import { freePort } from "./helpers/postgres.js";
import { startIdentityProvider, type TestIdentityProvider } from "./oidc/provider.js";

let idp: TestIdentityProvider;
let server: ChatServer;
let appUrl: string;
let now = new Date();
const clock = () => now;

beforeAll(async () => {
  const [idpPort, appPort] = [await freePort(), await freePort()];
  appUrl = `http://127.0.0.1:${appPort}`;
  idp = await startIdentityProvider({ port: idpPort, clientId: "chat-app", clientSecret: "chat-secret", redirectUri: `${appUrl}/auth/callback`, postLogoutRedirectUri: `${appUrl}/` });
  idp.accounts.set("alice", { email: "alice@corp.example", email_verified: true, name: "Alice Admin", groups: ["chat-admins"] });
  idp.accounts.set("bob", { email: "bob@corp.example", email_verified: true, name: "Bob" });
  idp.accounts.set("mallory", { email: "mallory@elsewhere.example", email_verified: true, name: "Mallory" });
  const oidc = new OidcClient({
    issuer: idp.issuer,
    clientId: "chat-app",
    clientSecret: "chat-secret",
    redirectUri: `${appUrl}/auth/callback`,
    postLogoutRedirectUri: `${appUrl}/`,
    allowedEmailDomains: ["corp.example"],
    adminGroup: "chat-admins",
    allowInsecure: true,
  });
  server = await startChatServer({ authMode: "oidc", oidc, port: appPort, clock, signInAttemptsPerIp: 1000 });
});
afterAll(async () => {
  await server?.close();
  await idp?.close();
});

/** Starts sign-in at the app and returns the provider's login page. */
async function startLogin(browser: BrowserLike): Promise<{ html: string; url: string }> {
  const { res, url } = await browser.navigate(`${appUrl}/auth/login`);
  expect(url.startsWith(idp.issuer)).toBe(true);
  return { html: await res.text(), url };
}

async function signInAs(username: string): Promise<{ browser: BrowserLike; landed: string }> {
  const browser = new BrowserLike();
  const login = await startLogin(browser);
  const { url } = await browser.submitForm(login.url, login.html, { login: username });
  return { browser, landed: url };
}

const session = async (browser: BrowserLike) => (await (await browser.request(`${appUrl}/api/session`)).json()) as { user: { email: string; role: string; name: string } | null; authMode: string };

describe("OpenID Connect sign-in against a real provider", () => {
  it("signs in with the authorization code flow (PKCE, state, nonce) and creates the user on first login", async () => {
    const browser = new BrowserLike();
    const login = await startLogin(browser);
    const authorize = new URL(browser.visited[1]!);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")).toMatch(/.{16,}/);
    expect(authorize.searchParams.get("nonce")).toMatch(/.{16,}/);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${appUrl}/auth/callback`);
    const { url } = await browser.submitForm(login.url, login.html, { login: "bob" });
    expect(url).toBe(`${appUrl}/`);
    expect(await session(browser)).toMatchObject({ authMode: "oidc", user: { email: "bob@corp.example", name: "Bob", role: "user" } });
    expect((await browser.request(`${appUrl}/api/threads`)).status).toBe(200);
    const rows = await server.db.selectFrom("users").select(["oidc_issuer", "oidc_subject"]).where("email", "=", "bob@corp.example").execute();
    expect(rows).toEqual([{ oidc_issuer: idp.issuer, oidc_subject: "bob" }]);
  });

  it("gives the admin role from the group claim, and keeps one account per issuer + subject", async () => {
    const first = await signInAs("alice");
    expect((await session(first.browser)).user).toMatchObject({ role: "admin", email: "alice@corp.example" });
    const second = await signInAs("alice");
    expect((await session(second.browser)).user?.role).toBe("admin");
    const count = await server.db.selectFrom("users").select("id").where("oidc_subject", "=", "alice").execute();
    expect(count).toHaveLength(1);
  });

  it("refuses an email domain that is not allowed, saying which are", async () => {
    const { browser, landed } = await signInAs("mallory");
    const error = new URL(landed).searchParams.get("signin_error");
    expect(error).toMatch(/accepts accounts from corp\.example only, not mallory@elsewhere\.example/);
    expect((await session(browser)).user).toBeNull();
  });

  it("refuses a callback whose state was tampered with", async () => {
    const browser = new BrowserLike();
    const login = await startLogin(browser);
    // Submit the provider's form but stop at its redirect to the app, then change the state.
    const form = /action="([^"]+)"/.exec(login.html)![1]!;
    let res = await browser.request(new URL(form, login.url).toString(), { method: "POST", body: "login=bob", headers: { "content-type": "application/x-www-form-urlencoded" } });
    let location = new URL(res.headers.get("location")!, login.url);
    while (!location.toString().startsWith(`${appUrl}/auth/callback`)) {
      res = await browser.request(location.toString());
      location = new URL(res.headers.get("location")!, location);
    }
    location.searchParams.set("state", "tampered-state-value-123456");
    const { url } = await browser.navigate(location.toString());
    expect(new URL(url).searchParams.get("signin_error")).toMatch(/Sign-in could not be completed.*state/i);
    expect((await session(browser)).user).toBeNull();
  });

  it("refuses an ID token whose nonce is not the one this browser sent", async () => {
    const browser = new BrowserLike();
    const res = await browser.request(`${appUrl}/auth/login`);
    const authorize = new URL(res.headers.get("location")!);
    authorize.searchParams.set("nonce", "a-nonce-the-app-never-issued");
    const login = await browser.navigate(authorize.toString());
    const { url } = await browser.submitForm(login.url, await login.res.text(), { login: "bob" });
    expect(new URL(url).searchParams.get("signin_error")).toMatch(/nonce/i);
    expect((await session(browser)).user).toBeNull();
  });

  it("refuses a callback without the pending-login cookie (another browser, or too late)", async () => {
    const browser = new BrowserLike();
    const { url } = await browser.navigate(`${appUrl}/auth/callback?code=abc&state=def`);
    expect(new URL(url).searchParams.get("signin_error")).toMatch(/took too long or was started in another browser/);
  });

  it("ends the session after 15 days", async () => {
    const { browser } = await signInAs("bob");
    now = new Date(now.getTime() + 15 * 24 * 60 * 60_000 + 1000);
    try {
      expect((await browser.request(`${appUrl}/api/threads`)).status).toBe(401);
    } finally {
      now = new Date();
    }
  });

  it("logs out of the app and of the provider (RP-initiated logout with id_token_hint)", async () => {
    const { browser } = await signInAs("bob");
    const out = await browser.request(`${appUrl}/auth/logout`, { method: "POST", headers: { origin: appUrl, "x-requested-with": "fetch" } });
    const { redirect } = (await out.json()) as { redirect: string };
    const endSession = new URL(redirect);
    expect(endSession.origin).toBe(idp.issuer);
    expect(endSession.searchParams.get("id_token_hint")).toMatch(/^ey/);
    expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${appUrl}/`);
    expect((await session(browser)).user).toBeNull();
    const confirm = await browser.navigate(redirect);
    const before = idp.logouts;
    const { url } = await browser.submitForm(confirm.url, await confirm.res.text(), { logout: "yes" });
    expect(url).toBe(`${appUrl}/`);
    expect(idp.logouts).toBe(before + 1);
    // The provider's session is gone too: signing in again asks for the username.
    const again = await startLogin(browser);
    expect(again.html).toMatch(/Username/);
  });
});

describe("an unreachable provider", () => {
  it("sends the browser back to the sign-in page with what to check", async () => {
    const oidc = new OidcClient({ issuer: "http://127.0.0.1:1", clientId: "c", redirectUri: "http://127.0.0.1:2/auth/callback", postLogoutRedirectUri: "http://127.0.0.1:2/", allowedEmailDomains: [], allowInsecure: true });
    const app = await startChatServer({ authMode: "oidc", oidc });
    try {
      const res = await app.api("GET", "/auth/login");
      expect(res.status).toBe(302);
      const error = new URL(res.headers.get("location")!, app.url).searchParams.get("signin_error");
      expect(error).toMatch(/The sign-in provider at http:\/\/127\.0\.0\.1:1 cannot be reached .* check OIDC_ISSUER/);
    } finally {
      await app.close();
    }
  });
});

describe("Cognito logout", () => {
  it("uses Cognito's own /logout on the hosted UI domain (Cognito offers no end_session_endpoint)", async () => {
    const oidc = new OidcClient({ issuer: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC", clientId: "client123", redirectUri: "https://chat.example.com/auth/callback", postLogoutRedirectUri: "https://chat.example.com/", allowedEmailDomains: [] });
    // Discovery as Cognito publishes it, without the network.
    const metadata = { issuer: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC", authorization_endpoint: "https://chat-demo.auth.us-west-2.amazoncognito.com/oauth2/authorize", token_endpoint: "https://chat-demo.auth.us-west-2.amazoncognito.com/oauth2/token", jwks_uri: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC/.well-known/jwks.json" };
    const { Configuration } = await import("openid-client");
    (oidc as unknown as { configuration: Promise<unknown> }).configuration = Promise.resolve(new Configuration(metadata, "client123"));
    const url = new URL((await oidc.logoutUrl("id-token"))!);
    expect(`${url.origin}${url.pathname}`).toBe("https://chat-demo.auth.us-west-2.amazoncognito.com/logout");
    expect(url.searchParams.get("client_id")).toBe("client123");
    expect(url.searchParams.get("logout_uri")).toBe("https://chat.example.com/");
  });
});
