import { isIP } from "node:net";

export type AuthMode = "none" | "local" | "oidc";

export class AuthConfigError extends Error {
  override readonly name = "AuthConfigError";
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1";
  return false;
}

/**
 * AUTH_MODE, defaulting to `none` on a loopback HOST (a laptop keeps its zero-setup start) and `local` otherwise.
 * `none` on any other address would hand the app to the network, so it is refused with the fix spelled out.
 */
export function resolveAuthMode(requested: AuthMode | undefined, host: string): AuthMode {
  const mode = requested ?? (isLoopbackHost(host) ? "none" : "local");
  if (mode === "none" && !isLoopbackHost(host)) {
    throw new AuthConfigError(
      `AUTH_MODE=none (no sign-in) is only allowed when HOST is a loopback address such as 127.0.0.1, and HOST is "${host}". ` +
        "Use AUTH_MODE=local (accounts with passwords) or AUTH_MODE=oidc (single sign-on), or set HOST=127.0.0.1.",
    );
  }
  return mode;
}
