import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

/**
 * A real OpenID Connect provider (oidc-provider from npm) on 127.0.0.1 for the sign-in tests. Its own pages are
 * plain forms: "Username" + "Continue" to sign in (any configured account, no password), and the standard
 * RP-initiated logout confirmation. Nothing is loaded from outside.
 */
export interface TestIdentityProvider {
  issuer: string;
  /**
   * Accounts by username: the claims the ID token carries, as given (leave `email_verified` out for a provider that
   * never sends it; the string "true" as some providers send it).
   */
  accounts: Map<string, { email?: string; email_verified?: boolean | string; name?: string; groups?: string[] }>;
  /** How many sessions the provider ended through its logout endpoint. */
  logouts: number;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One client; `redirectUri` and `postLogoutRedirectUri` may list several apps sharing it (each with its own settings). */
export async function startIdentityProvider(options: { port: number; clientId: string; clientSecret: string; redirectUri: string | string[]; postLogoutRedirectUri: string | string[] }): Promise<TestIdentityProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const accounts: TestIdentityProvider["accounts"] = new Map();
  const state = { logouts: 0 };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri].flat(),
        post_logout_redirect_uris: [options.postLogoutRedirectUri].flat(),
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    cookies: { keys: ["test-only-cookie-key"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    conformIdTokenClaims: false,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = page("Sign out of the identity provider", `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          ctx.body = page("Signed out", "<p>You are signed out.</p>");
        },
      },
    },
    findAccount: async (_ctx, sub) => {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = page("Identity provider error", `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
  });
  provider.on("end_session.success", () => (state.logouts += 1));
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, submit: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error("interaction mismatch");
    if (details.prompt.name === "login") {
      if (!submit) {
        res.setHeader("content-type", "text/html");
        res.end(page("Identity provider sign-in", `<form method="post" action="/interaction/${uid}/login"><label>Username <input name="login" autofocus></label><button type="submit">Continue</button></form>`));
        return;
      }
      let body = "";
      for await (const chunk of req) body += chunk;
      const login = new URLSearchParams(body).get("login") ?? "";
      if (!accounts.has(login)) {
        res.setHeader("content-type", "text/html");
        res.end(page("Identity provider sign-in", `<p role="alert">Unknown user</p><form method="post" action="/interaction/${uid}/login"><label>Username <input name="login"></label><button type="submit">Continue</button></form>`));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }
    // Consent is given at once: this provider exists for one test client.
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params["client_id"]) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const server = createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? "");
    if (match) {
      interaction(req, res, match[1]!, req.method === "POST" && match[2] === "/login").catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    void callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  return {
    issuer,
    accounts,
    get logouts() {
      return state.logouts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
