/**
 * Errors a user can read and act on. Providers translate their SDK errors into these; shells (CLI, server)
 * print `message` as is and use `code` to decide exit codes, HTTP statuses and whether Retry makes sense.
 */
export type ChatErrorCode =
  | "throttled"
  | "access_denied"
  | "validation"
  | "context_overflow"
  | "credentials"
  | "model_error"
  | "unavailable"
  | "network"
  | "input_too_long"
  | "internal";

export class ChatError extends Error {
  override readonly name = "ChatError";
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    /** Whether sending the same request again later may succeed. */
    readonly retryable = false,
    options?: { cause?: unknown; providerMessage?: string },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.providerMessage !== undefined) this.providerMessage = options.providerMessage;
  }

  /** The provider's own words (Bedrock's message), verbatim, when the error came from it; also at the end of `message`. */
  readonly providerMessage?: string;
}

/** Settings a profile cannot use or values out of range; shells report these as usage errors (CLI exit 2, HTTP 400). */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}
