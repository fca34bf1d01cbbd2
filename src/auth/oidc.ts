import * as client from "openid-client";
import { z } from "zod";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  /** Where the provider sends the browser back after logout (the app's home). */
  postLogoutRedirectUri: string;
  /** Lower-case email domains allowed to sign in; empty: any. */
  allowedEmailDomains: string[];
  /** Members of this group (in `cognito:groups` or `groups`) are admins; unset: roles are managed in the app. */
  adminGroup?: string;
  /** Allow an http:// issuer (tests on 127.0.0.1 only). */
  allowInsecure?: boolean;
}

/** What the app keeps between the redirect to the provider and the callback (in a short-lived HttpOnly cookie). */
export const loginTransactionSchema = z.object({ state: z.string().min(16), nonce: z.string().min(16), verifier: z.string().min(43), returnTo: z.string().optional() });
export type LoginTransaction = z.infer<typeof loginTransactionSchema>;

export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  name: string;
  groups: string[];
  idToken: string | undefined;
}

export class OidcLoginError extends Error {
  override readonly name = "OidcLoginError";
  constructor(
    readonly code: "invalid_callback" | "email_domain" | "provider_unreachable",
    message: string,
  ) {
    super(message);
  }
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.string()]).optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  "cognito:username": z.string().optional(),
  "cognito:groups": z.array(z.string()).optional(),
  groups: z.union([z.array(z.string()), z.string()]).optional(),
});

/** openid-client wraps the precise reason (e.g. 'unexpected "state" response parameter value') in `cause`. */
function deepestMessage(error: unknown): string {
  let message = String(error);
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) message = e.message;
  return message;
}

/** Amazon Cognito user pools: issuer https://cognito-idp.<region>.amazonaws.com/<pool id>. */
export function isCognitoIssuer(issuer: string): boolean {
  try {
    return /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/.test(new URL(issuer).hostname);
  } catch {
    return false;
  }
}

/** OpenID Connect relying party: authorization code flow with PKCE, state and nonce. */
export class OidcClient {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(readonly settings: OidcSettings) {}

  /** Discovery from the issuer, once; a failure is retried at the next sign-in. */
  private config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, this.settings.allowInsecure ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new OidcLoginError("provider_unreachable", `The sign-in provider at ${this.settings.issuer} cannot be reached (${(error as Error).message}). Try again in a moment; if it persists, check OIDC_ISSUER.`);
      });
    return this.configuration;
  }

  async beginLogin(returnTo?: string): Promise<{ url: URL; transaction: LoginTransaction }> {
    const config = await this.config();
    const transaction: LoginTransaction = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), ...(returnTo ? { returnTo } : {}) };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: "openid email profile",
      response_type: "code",
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: "S256",
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { url, transaction };
  }

  /** Exchanges the code, checking state, nonce, PKCE and the ID token; applies the email-domain rule. */
  async finishLogin(callbackUrl: URL, transaction: LoginTransaction): Promise<OidcIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new OidcLoginError("invalid_callback", `Sign-in could not be completed (${deepestMessage(error)}). Start again from the sign-in page.`);
    }
    const claims = claimsSchema.parse(tokens.claims());
    const email = claims.email && claims.email_verified !== false && claims.email_verified !== "false" ? claims.email.toLowerCase() : null;
    const domains = this.settings.allowedEmailDomains;
    if (domains.length > 0 && (!email || !domains.includes(email.split("@")[1] ?? ""))) {
      throw new OidcLoginError("email_domain", `This app accepts accounts from ${domains.join(", ")} only${email ? `, not ${email}` : " (the provider sent no verified email)"}. Sign in with another account.`);
    }
    const groups = claims["cognito:groups"] ?? (typeof claims.groups === "string" ? [claims.groups] : (claims.groups ?? []));
    return {
      issuer: config.serverMetadata().issuer,
      subject: claims.sub,
      email,
      name: claims.name ?? claims.preferred_username ?? claims["cognito:username"] ?? email ?? claims.sub,
      groups,
      idToken: tokens.id_token,
    };
  }

  isAdmin(identity: OidcIdentity): boolean | undefined {
    return this.settings.adminGroup ? identity.groups.includes(this.settings.adminGroup) : undefined;
  }

  /**
   * Where to send the browser so the provider's session ends too: RP-initiated logout through
   * end_session_endpoint where offered; Amazon Cognito offers its own /logout on the hosted UI domain instead.
   */
  async logoutUrl(idToken: string | null): Promise<string | undefined> {
    let config: client.Configuration;
    try {
      config = await this.config();
    } catch {
      return undefined;
    }
    const metadata = config.serverMetadata();
    if (isCognitoIssuer(metadata.issuer) && metadata.authorization_endpoint) {
      const url = new URL("/logout", metadata.authorization_endpoint);
      url.searchParams.set("client_id", this.settings.clientId);
      url.searchParams.set("logout_uri", this.settings.postLogoutRedirectUri);
      return url.toString();
    }
    if (!metadata.end_session_endpoint) return undefined;
    return client
      .buildEndSessionUrl(config, { post_logout_redirect_uri: this.settings.postLogoutRedirectUri, client_id: this.settings.clientId, ...(idToken ? { id_token_hint: idToken } : {}) })
      .toString();
  }
}
