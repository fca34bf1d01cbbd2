import { ChatError } from "../../engine/errors.js";

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIALS_HELP =
  "Provide AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE after `aws configure` / `aws sso login`, or run with an IAM role (ECS task role, EC2 instance profile).";

const CONTEXT_OVERFLOW = /input is too long|too many input tokens|context (window|length)|prompt is too long|model_context_window_exceeded/i;

/**
 * Maps an AWS SDK error (thrown by send() or from inside a stream) to a user-readable ChatError: what happened and
 * what to do, then Bedrock's own words verbatim ("Bedrock said: ..."), last, so the user sees which limit or rule
 * was hit and no punctuation is doubled around them. The words are also kept apart in `providerMessage`.
 */
export function toChatError(error: unknown, context: { modelId: string; region: string }): ChatError {
  if (error instanceof ChatError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? "Error";
  const said = (e.message ?? "").trim();
  const where = `model ${context.modelId} in ${context.region}`;
  const wrap = (code: ConstructorParameters<typeof ChatError>[0], message: string, retryable = false, speaker = "Bedrock") =>
    new ChatError(code, said ? `${message} ${speaker} said: ${said}` : message, retryable, { cause: error, ...(said ? { providerMessage: said } : {}) });

  switch (name) {
    case "ThrottlingException":
    case "TooManyRequestsException":
      return wrap("throttled", `Bedrock is throttling requests to ${where}. Wait a moment and retry.`, true);
    case "ServiceQuotaExceededException":
      return wrap("throttled", `A Bedrock quota was exceeded for ${where}. Wait and retry, or ask for a quota increase.`, true);
    case "AccessDeniedException":
      return wrap(
        "access_denied",
        `Access denied to ${where}. Enable access to this model in the Amazon Bedrock console (Model access) for region ${context.region}, and allow bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream for your AWS identity.`,
      );
    case "ValidationException":
      if (CONTEXT_OVERFLOW.test(said)) return wrap("context_overflow", "This conversation is too long for the model's context window. Start a new chat, or remove attachments or long messages, and try again.");
      return new ChatError("validation", `Bedrock rejected the request: ${said || "validation failed"}`, false, { cause: error, ...(said ? { providerMessage: said } : {}) });
    case "ResourceNotFoundException":
      return wrap("validation", `Bedrock could not find ${where}. Check the model id in config.json.`);
    case "ModelTimeoutException":
    case "ModelErrorException":
    case "ModelStreamErrorException":
      return wrap("model_error", "The model failed while answering. Retry.", true);
    case "InternalServerException":
    case "ServiceUnavailableException":
    case "ModelNotReadyException":
      return wrap("unavailable", `Bedrock is unavailable right now for ${where}. Retry in a moment.`, true);
    case "CredentialsProviderError":
    case "ExpiredTokenException":
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "MissingAuthenticationTokenException":
      return wrap("credentials", `AWS credentials are missing or invalid. ${CREDENTIALS_HELP}`, false, "AWS");
  }
  if (/could not load credentials|credential/i.test(said) && /provider|credential/i.test(name + said)) {
    return wrap("credentials", `AWS credentials are missing. ${CREDENTIALS_HELP}`, false, "The AWS SDK");
  }
  if (/Region is missing/i.test(said)) {
    return new ChatError("credentials", "No AWS region is set: add default_aws_region to config.json or set AWS_REGION.", false, { cause: error });
  }
  if (e.code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(e.code)) {
    return new ChatError("network", `Cannot reach Bedrock for ${where} (${e.code}). Check the network connection and retry.`, true, { cause: error });
  }
  if (name === "TimeoutError" || /ERR_HTTP2|socket hang up|network/i.test(`${e.code ?? ""} ${said}`)) {
    return wrap("network", `The connection to Bedrock failed for ${where}. Retry.`, true, "The connection");
  }
  const status = e.$metadata?.httpStatusCode;
  if (status && status >= 500) return wrap("unavailable", `Bedrock answered ${status} for ${where}. Retry in a moment.`, true);
  return wrap("internal", `Unexpected error from Bedrock for ${where} (${name}).`);
}
