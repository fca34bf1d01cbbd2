/**
 * Why a single sign-on did not complete, as the server tells the browser: `/?signin_error=<code>`. Only a code
 * travels in the URL (anyone can write a link with any text in it); the web app shows the message of a known code
 * and a generic one for anything else. The precise reason is in the server log. Shared by the server and the web
 * app, so a code the server sends always has a message.
 */
export const signInErrorMessages = {
  expired: "The sign-in took too long or was started in another browser. Sign in again.",
  invalid_callback: "Sign-in could not be completed. Start again with Sign in with SSO.",
  provider_unreachable: "The sign-in provider cannot be reached. Try again in a moment; if it persists, tell your administrator.",
  email_missing: "Your sign-in provider did not share an email address, which this app needs. Sign in with another account, or ask your administrator.",
  email_unverified: "Your sign-in provider has not confirmed that your email address is verified. Verify it there, or ask your administrator, then sign in again.",
  email_domain: "This app accepts accounts of your organization's email domains only. Sign in with your work account.",
  disabled: "This account is disabled. Ask an administrator to enable it.",
} as const satisfies Record<string, string>;

export type SignInErrorCode = keyof typeof signInErrorMessages;

/** Shown for a code the app does not know: never the parameter's own text. */
export const unknownSignInErrorMessage = "Sign-in did not complete. Try again.";

export const SIGNIN_ERROR_PARAM = "signin_error";

/** Where the server sends the browser after a failed sign-in. */
export function signInErrorPath(code: SignInErrorCode): string {
  return `/?${SIGNIN_ERROR_PARAM}=${code}`;
}

export function isSignInErrorCode(value: string): value is SignInErrorCode {
  return Object.hasOwn(signInErrorMessages, value);
}

/** The message for the `signin_error` parameter: a known code's message, the generic one otherwise, null when absent. */
export function signInErrorMessage(param: string | null): string | null {
  if (param === null) return null;
  return isSignInErrorCode(param) ? signInErrorMessages[param] : unknownSignInErrorMessage;
}
