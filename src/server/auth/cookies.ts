import type { CookieSerializeOptions } from "@fastify/cookie";
import { SESSION_TTL_MS } from "../../store/sessions.js";

/**
 * Cookie names and flags. `Secure` follows the public URL (behind CloudFront the ALB hop is plain http, so the
 * request's own protocol is not the truth); secure cookies take the `__Host-` prefix (no Domain, Path=/).
 */
export class AuthCookies {
  readonly session: string;
  readonly login: string;
  private readonly secure: boolean;

  constructor(publicUrl: string | undefined) {
    this.secure = publicUrl?.startsWith("https://") ?? false;
    this.session = this.secure ? "__Host-chat_session" : "chat_session";
    this.login = this.secure ? "__Host-chat_login" : "chat_login";
  }

  sessionOptions(): CookieSerializeOptions {
    return { httpOnly: true, sameSite: "lax", secure: this.secure, path: "/", maxAge: Math.floor(SESSION_TTL_MS / 1000) };
  }

  /** The pending OpenID login (state, nonce, PKCE verifier): ten minutes. */
  loginOptions(): CookieSerializeOptions {
    return { httpOnly: true, sameSite: "lax", secure: this.secure, path: "/", maxAge: 600 };
  }

  clearOptions(): CookieSerializeOptions {
    return { httpOnly: true, sameSite: "lax", secure: this.secure, path: "/" };
  }
}
