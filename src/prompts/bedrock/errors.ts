import { PromptStoreError, type PromptStoreErrorKind } from "../types.js";

/** Bedrock Agent's exceptions (and network failures) as store errors in plain words; Bedrock's own text kept as detail. */
export function fromBedrockError(error: unknown, action: string): PromptStoreError {
  if (error instanceof PromptStoreError) return error;
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const said = e.message ?? String(error);
  const kind = kindOf(e.name ?? "", e.$metadata?.httpStatusCode, e.code);
  const words: Record<PromptStoreErrorKind, string> = {
    throttled: "Amazon Bedrock is throttling Prompt Management requests (too many at once). Wait a moment and try again.",
    access_denied: `Amazon Bedrock refused access: the server's AWS credentials may not call bedrock:${action} (see the README for the permissions the Bedrock prompt store needs).`,
    conflict: "Amazon Bedrock reports a conflict: the prompt was changed at the same moment, or that name is taken. Reload and try again.",
    quota: "An Amazon Bedrock quota is reached (prompts per account or versions per prompt). Ask for a higher quota in Service Quotas.",
    not_found: "Amazon Bedrock does not know this prompt or version (it may have been deleted outside this app).",
    validation: "Amazon Bedrock refused the prompt as invalid.",
    unavailable: "Amazon Bedrock Prompt Management cannot be reached right now.",
  };
  return new PromptStoreError(kind, `${words[kind]} Bedrock said: ${said}`, said);
}

function kindOf(name: string, status: number | undefined, code: string | undefined): PromptStoreErrorKind {
  switch (name) {
    case "ThrottlingException":
      return "throttled";
    case "AccessDeniedException":
    case "UnrecognizedClientException":
    case "ExpiredTokenException":
      return "access_denied";
    case "ConflictException":
      return "conflict";
    case "ServiceQuotaExceededException":
      return "quota";
    case "ResourceNotFoundException":
      return "not_found";
    case "ValidationException":
      return "validation";
  }
  if (status === 429) return "throttled";
  if (status === 403) return "access_denied";
  if (code && /^E[A-Z]+/.test(code)) return "unavailable";
  return "unavailable";
}
