import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginTransactionSchema, OidcClient, type LoginTransaction, type OidcSettings } from "../src/auth/oidc.js";
import { readServerEnv } from "../src/config/env.js";
import { isSignInErrorCode, signInErrorMessage } from "../src/shared/signin-errors.js";
import { BrowserLike } from "./helpers/browser-like.js";
import { LogLines } from "./helpers/log-lines.js";
import { startChatServer, type ChatServer } from "./helpers/chat-server.js";
import { freePort } from "./helpers/postgres.js";
import { startIdentityProvider, type TestIdentityProvider } from "./oidc/provider.js";

let idp: TestIdentityProvider;
let server: ChatServer;
let appUrl: string;
let now = new Date();
const clock = () => now;

/** One app of the provider's client, with its own OIDC settings. */
interface App {
  url: string;
  server: ChatServer;
  oidc: OidcClient;
  /** What the server logged (info and up). */
  logs: LogLines;
}
/** Domains restricted to corp.example (the app most tests use: `server`, `appUrl`). */
let main: App;
/** Domains restricted to corp.example, but an email sent without `email_verified` counts (OIDC_TRUST_UNVERIFIED_EMAIL=true). */
let trusting: App;
/** No domain rule. */
let open: App;
const apps: App[] = [];

async function startApp(port: number, settings: Partial<OidcSettings> & { noAdminGroup?: true }): Promise<App> {
  const url = `http://127.0.0.1:${port}`;
  const oidc = new OidcClient({
    issuer: idp.issuer,
    clientId: "chat-app",
    clientSecret: "chat-secret",
    redirectUri: `${url}/auth/callback`,
    postLogoutRedirectUri: `${url}/`,
    allowedEmailDomains: ["corp.example"],
    ...(settings.noAdminGroup ? {} : { adminGroup: "chat-admins" }),
    allowInsecure: true,
    ...settings,
  });
  const logs = new LogLines();
  const app = { url, oidc, logs, server: await startChatServer({ authMode: "oidc", oidc, port, clock, signInAttemptsPerIp: 1000, logLevel: "info", logStream: logs }) };
  apps.push(app);
  return app;
}

beforeAll(async () => {
  const [idpPort, ...appPorts] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const urls = appPorts.map((port) => `http://127.0.0.1:${port}`);
  appUrl = urls[0]!;
  idp = await startIdentityProvider({ port: idpPort, clientId: "chat-app", clientSecret: "chat-secret", redirectUri: urls.map((u) => `${u}/auth/callback`), postLogoutRedirectUri: urls.map((u) => `${u}/`) });
  idp.accounts.set("alice", { email: "alice@corp.example", email_verified: true, name: "Alice Admin", groups: ["chat-admins"] });
  idp.accounts.set("bob", { email: "bob@corp.example", email_verified: true, name: "Bob" });
  idp.accounts.set("mallory", { email: "mallory@elsewhere.example", email_verified: true, name: "Mallory" });
  // A provider account that claims the CEO's address without the provider vouching for it (no email_verified claim).
  idp.accounts.set("claims-ceo", { email: "ceo@corp.example", name: "Not the CEO" });
  idp.accounts.set("ceo", { email: "ceo@corp.example", email_verified: true, name: "The CEO" });
  idp.accounts.set("unverified", { email: "uma@corp.example", email_verified: false, name: "Uma" });
  idp.accounts.set("string-true", { email: "stella@corp.example", email_verified: "true", name: "Stella" });
  idp.accounts.set("string-false", { email: "sam@corp.example", email_verified: "false", name: "Sam" });
  idp.accounts.set("no-email", { name: "Nemo" });
  main = await startApp(appPorts[0]!, {});
  server = main.server;
  trusting = await startApp(appPorts[1]!, { trustEmailWithoutVerifiedClaim: true });
  open = await startApp(appPorts[2]!, { allowedEmailDomains: [], noAdminGroup: true });
});
afterAll(async () => {
  for (const app of apps) await app.server.close();
  await idp?.close();
});

/** Starts sign-in at the app and returns the provider's login page. */
async function startLogin(browser: BrowserLike, app = appUrl): Promise<{ html: string; url: string }> {
  const { res, url } = await browser.navigate(`${app}/auth/login`);
  expect(url.startsWith(idp.issuer)).toBe(true);
  return { html: await res.text(), url };
}

async function signInAs(username: string, app = appUrl): Promise<{ browser: BrowserLike; landed: string }> {
  const browser = new BrowserLike();
  const login = await startLogin(browser, app);
  const { url } = await browser.submitForm(login.url, login.html, { login: username });
  return { browser, landed: url };
}

/** Signs in at the provider but stops at its redirect to the app's callback: that URL and the pending-login cookie. */
async function callbackFor(username: string, app = appUrl): Promise<{ browser: BrowserLike; callback: URL; transaction: LoginTransaction }> {
  const browser = new BrowserLike();
  const login = await startLogin(browser, app);
  const form = /action="([^"]+)"/.exec(login.html)![1]!;
  let res = await browser.request(new URL(form, login.url).toString(), { method: "POST", body: `login=${username}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
  let location = new URL(res.headers.get("location")!, login.url);
  while (!location.toString().startsWith(`${app}/auth/callback`)) {
    res = await browser.request(location.toString());
    location = new URL(res.headers.get("location")!, location);
  }
  const transaction = loginTransactionSchema.parse(JSON.parse(Buffer.from(browser.cookies.get("chat_login")!, "base64url").toString()));
  return { browser, callback: location, transaction };
}

/** The failed sign-in's landing page carries one parameter, a known code, and nothing the provider or a user wrote. */
function signInError(landed: string): string {
  const url = new URL(landed);
  expect(`${url.origin}${url.pathname}`).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect([...url.searchParams.keys()]).toEqual(["signin_error"]);
  const code = url.searchParams.get("signin_error")!;
  expect(isSignInErrorCode(code), `"${code}" is not a sign-in error code`).toBe(true);
  return code;
}

const session = async (browser: BrowserLike, app = appUrl) => (await (await browser.request(`${app}/api/session`)).json()) as { user: { email: string | null; role: string; name: string } | null; authMode: string };

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

  it("refuses an email domain that is not allowed, saying which are (in the reason the server logs)", async () => {
    const { browser, landed } = await signInAs("mallory");
    expect(signInError(landed)).toBe("email_domain");
    expect((await session(browser)).user).toBeNull();
    const { callback, transaction } = await callbackFor("mallory");
    await expect(main.oidc.finishLogin(callback, transaction)).rejects.toMatchObject({
      code: "email_domain",
      message: expect.stringMatching(/accepts accounts from corp\.example only, not mallory@elsewhere\.example/),
    });
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
    expect(signInError(url)).toBe("invalid_callback");
    expect((await session(browser)).user).toBeNull();
  });

  it("refuses an ID token whose nonce is not the one this browser sent", async () => {
    const browser = new BrowserLike();
    const res = await browser.request(`${appUrl}/auth/login`);
    const authorize = new URL(res.headers.get("location")!);
    authorize.searchParams.set("nonce", "a-nonce-the-app-never-issued");
    const login = await browser.navigate(authorize.toString());
    const { url } = await browser.submitForm(login.url, await login.res.text(), { login: "bob" });
    expect(signInError(url)).toBe("invalid_callback");
    expect((await session(browser)).user).toBeNull();
  });

  it("refuses a callback without the pending-login cookie (another browser, or too late)", async () => {
    const browser = new BrowserLike();
    const { url } = await browser.navigate(`${appUrl}/auth/callback?code=abc&state=def`);
    expect(signInError(url)).toBe("expired");
    expect(signInErrorMessage("expired")).toMatch(/took too long or was started in another browser/);
  });

  it("redirects with a code only: the provider's error text never reaches the URL", async () => {
    const { callback, browser } = await callbackFor("bob");
    callback.search = "";
    callback.searchParams.set("error", "access_denied");
    callback.searchParams.set("error_description", "Your account is suspended, call +1 555 0100");
    callback.searchParams.set("state", "whatever-the-provider-sent");
    const { url } = await browser.navigate(callback.toString());
    expect(signInError(url)).toBe("invalid_callback");
    expect(decodeURIComponent(url)).not.toMatch(/suspended|555|access_denied/);
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

describe("email_verified", () => {
  it("refuses an email without an email_verified claim when domains are restricted, with a message that says so", async () => {
    const { browser, landed } = await signInAs("claims-ceo");
    expect(signInError(landed)).toBe("email_unverified");
    expect(signInErrorMessage("email_unverified")).toMatch(/has not confirmed that your email address is verified/);
    expect((await session(browser)).user).toBeNull();
    expect(await server.db.selectFrom("users").select("id").where("email", "=", "ceo@corp.example").execute()).toEqual([]);
  });

  it("logs the precise reason: what the provider sent and which variable relaxes the rule (the URL has only the code)", async () => {
    const { landed } = await signInAs("claims-ceo");
    expect(signInError(landed)).toBe("email_unverified");
    const refusals = main.logs.entries().filter((e) => e["msg"] === "OpenID sign-in refused" && e["code"] === "email_unverified");
    expect(refusals.at(-1)?.["reason"]).toMatch(/ceo@corp\.example without an email_verified claim.*OIDC_TRUST_UNVERIFIED_EMAIL=true/);
  });

  it("refuses email_verified false, as a boolean or the string \"false\"", async () => {
    for (const username of ["unverified", "string-false"]) {
      const { browser, landed } = await signInAs(username);
      expect(signInError(landed), username).toBe("email_unverified");
      expect((await session(browser)).user).toBeNull();
    }
  });

  it("refuses an account without an email when domains are restricted", async () => {
    const { landed } = await signInAs("no-email");
    expect(signInError(landed)).toBe("email_missing");
  });

  it("accepts email_verified as the string \"true\", as some providers send it", async () => {
    const { browser, landed } = await signInAs("string-true");
    expect(landed).toBe(`${appUrl}/`);
    expect((await session(browser)).user).toMatchObject({ email: "stella@corp.example", name: "Stella" });
  });

  it("with OIDC_TRUST_UNVERIFIED_EMAIL, accepts an email sent without the claim, but still refuses email_verified false", async () => {
    const accepted = await signInAs("claims-ceo", trusting.url);
    expect(accepted.landed).toBe(`${trusting.url}/`);
    expect((await session(accepted.browser, trusting.url)).user).toMatchObject({ email: "ceo@corp.example" });
    const refused = await signInAs("unverified", trusting.url);
    expect(signInError(refused.landed)).toBe("email_unverified");
  });

  it("without a domain rule, signs in but never takes an email the provider did not verify (the real owner keeps it)", async () => {
    const impostor = await signInAs("claims-ceo", open.url);
    expect(impostor.landed).toBe(`${open.url}/`);
    expect((await session(impostor.browser, open.url)).user).toMatchObject({ email: null, name: "Not the CEO" });
    const owner = await signInAs("ceo", open.url);
    expect((await session(owner.browser, open.url)).user).toMatchObject({ email: "ceo@corp.example", name: "The CEO" });
    expect(open.logs.all()).toMatch(/"email":"ceo@corp\.example".*did not verify the email.*OIDC_TRUST_UNVERIFIED_EMAIL=true/);
  });

  it("reads OIDC_TRUST_UNVERIFIED_EMAIL as true or false, and refuses anything else", () => {
    expect(readServerEnv({}).OIDC_TRUST_UNVERIFIED_EMAIL).toBe(false);
    expect(readServerEnv({ OIDC_TRUST_UNVERIFIED_EMAIL: "true" }).OIDC_TRUST_UNVERIFIED_EMAIL).toBe(true);
    expect(readServerEnv({ OIDC_TRUST_UNVERIFIED_EMAIL: "false" }).OIDC_TRUST_UNVERIFIED_EMAIL).toBe(false);
    expect(() => readServerEnv({ OIDC_TRUST_UNVERIFIED_EMAIL: "yes" })).toThrow(/OIDC_TRUST_UNVERIFIED_EMAIL="yes"/);
  });
});

describe("the sign-in error catalogue", () => {
  it("has a message for each code and the generic one for anything else, never the parameter's text", () => {
    expect(signInErrorMessage(null)).toBeNull();
    expect(signInErrorMessage("disabled")).toMatch(/disabled\. Ask an administrator/);
    for (const injected of ["<script>alert(1)</script>", "Your account is suspended, call +1 555 0100", "constructor", "__proto__", "toString", ""]) {
      expect(signInErrorMessage(injected), injected).toBe("Sign-in did not complete. Try again.");
    }
  });
});

describe("an unreachable provider", () => {
  it("sends the browser back to the sign-in page with what to check", async () => {
    const oidc = new OidcClient({ issuer: "http://127.0.0.1:1", clientId: "c", redirectUri: "http://127.0.0.1:2/auth/callback", postLogoutRedirectUri: "http://127.0.0.1:2/", allowedEmailDomains: [], allowInsecure: true });
    const app = await startChatServer({ authMode: "oidc", oidc });
    try {
      const res = await app.api("GET", "/auth/login");
      expect(res.status).toBe(302);
      expect(signInError(new URL(res.headers.get("location")!, app.url).toString())).toBe("provider_unreachable");
      await expect(oidc.beginLogin()).rejects.toThrow(/The sign-in provider at http:\/\/127\.0\.0\.1:1 cannot be reached .* check OIDC_ISSUER/);
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
