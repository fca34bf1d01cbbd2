import * as client from "openid-client";
import { z } from "zod";
import type { SignInErrorCode } from "../shared/signin-errors.js";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  /** Where the provider sends the browser back after logout (the app's home). */
  postLogoutRedirectUri: string;
  /** Lower-case email domains allowed to sign in (with a verified email only); empty: any. */
  allowedEmailDomains: string[];
  /**
   * OIDC_TRUST_UNVERIFIED_EMAIL: an email sent without an `email_verified` claim counts as verified, for providers
   * that never send the claim. An explicit `email_verified: false` is refused all the same. Default false.
   */
  trustEmailWithoutVerifiedClaim?: boolean;
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
  /** Lower-case; only an email the provider verified (see `usableEmail`), else null. */
  email: string | null;
  /** An email the provider sent without verifying it: not the account's (for the log). */
  unverifiedEmail: string | null;
  name: string;
  groups: string[];
  idToken: string | undefined;
}

export class OidcLoginError extends Error {
  override readonly name = "OidcLoginError";
  constructor(
    readonly code: Extract<SignInErrorCode, "invalid_callback" | "email_missing" | "email_unverified" | "email_domain" | "provider_unreachable">,
    message: string,
  ) {
    super(message);
  }
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  /** Judged by `emailClaim`: only true or "true" is verified. */
  email_verified: z.unknown().optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  "cognito:username": z.string().optional(),
  "cognito:groups": z.array(z.string()).optional(),
  groups: z.union([z.array(z.string()), z.string()]).optional(),
});

type Claims = z.infer<typeof claimsSchema>;

/** The email claim and what the provider says of it: verified only for `true` or `"true"` (some providers send strings). */
type EmailClaim = { email: null } | { email: string; verified: "yes" | "no" | "not stated" };

function emailClaim(claims: Claims): EmailClaim {
  if (!claims.email) return { email: null };
  const email = claims.email.toLowerCase();
  if (claims.email_verified === undefined) return { email, verified: "not stated" };
  return { email, verified: claims.email_verified === true || claims.email_verified === "true" ? "yes" : "no" };
}

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

  /** Exchanges the code, checking state, nonce, PKCE and the ID token; keeps only a verified email; applies the email-domain rule. */
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
    const parsed = claimsSchema.safeParse(tokens.claims());
    if (!parsed.success) {
      throw new OidcLoginError("invalid_callback", `The provider's ID token has unexpected claims (${z.prettifyError(parsed.error)}). Check the provider's token settings.`);
    }
    const claims = parsed.data;
    const claim = emailClaim(claims);
    const email = this.usableEmail(claim);
    this.checkEmailDomain(claim, email);
    const groups = claims["cognito:groups"] ?? (typeof claims.groups === "string" ? [claims.groups] : (claims.groups ?? []));
    return {
      issuer: config.serverMetadata().issuer,
      subject: claims.sub,
      email,
      unverifiedEmail: email === null ? claim.email : null,
      name: claims.name ?? claims.preferred_username ?? claims["cognito:username"] ?? email ?? claims.sub,
      groups,
      idToken: tokens.id_token,
    };
  }

  /**
   * The email the account may have: one the provider verified, or one sent without the claim when the settings trust
   * that. An unverified email is never the account's, domains restricted or not: accounts are matched and claimed by
   * email (an email already taken is not taken over), so an unverified one would let anyone take someone's address.
   */
  private usableEmail(claim: EmailClaim): string | null {
    if (claim.email === null) return null;
    const trusted = claim.verified === "yes" || (claim.verified === "not stated" && this.settings.trustEmailWithoutVerifiedClaim === true);
    return trusted ? claim.email : null;
  }

  /** With OIDC_ALLOWED_EMAIL_DOMAINS, only a usable email of those domains signs in. */
  private checkEmailDomain(claim: EmailClaim, email: string | null): void {
    const domains = this.settings.allowedEmailDomains;
    if (domains.length === 0) return;
    const only = `This app accepts verified emails from ${domains.join(", ")} only`;
    if (claim.email === null) {
      throw new OidcLoginError("email_missing", `${only}, and the provider sent no email for this account. Sign in with another account, or make the provider release the email claim (scope "email").`);
    }
    if (email === null) {
      throw new OidcLoginError(
        "email_unverified",
        claim.verified === "not stated"
          ? `${only}; the provider sent ${claim.email} without an email_verified claim. If this provider never sends the claim, set OIDC_TRUST_UNVERIFIED_EMAIL=true.`
          : `${only}; the provider says ${claim.email} is not verified (email_verified is not true). The user must verify the email at the provider, then sign in again.`,
      );
    }
    if (!domains.includes(email.split("@")[1] ?? "")) {
      throw new OidcLoginError("email_domain", `This app accepts accounts from ${domains.join(", ")} only, not ${email}. Sign in with another account.`);
    }
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
