import { describe, expect, it } from "vitest";
import { toChatError } from "./errors.js";

const where = { modelId: "us.amazon.nova-pro-v1:0", region: "us-west-2" };
const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

const kinds: [string, Record<string, unknown>?][] = [
  ["ThrottlingException"],
  ["ServiceQuotaExceededException"],
  ["AccessDeniedException"],
  ["ValidationException"],
  ["ResourceNotFoundException"],
  ["ModelTimeoutException"],
  ["ModelStreamErrorException"],
  ["InternalServerException"],
  ["ServiceUnavailableException"],
  ["ExpiredTokenException"],
  ["SomethingNew", { $metadata: { httpStatusCode: 503 } }],
  ["SomethingElse"],
];

describe("Bedrock's own words in errors", () => {
  it.each(kinds)("%s: Bedrock's message verbatim after our advice, with no doubled punctuation", (name, extra) => {
    for (const said of ["Too many requests, please wait.", "Input is malformed (field x)", "Rate exceeded!"]) {
      const error = toChatError(sdkError(name, said, extra), where);
      expect(error.message.endsWith(said), error.message).toBe(true);
      expect(error.providerMessage).toBe(said);
      expect(error.message).not.toMatch(/\.\.|\.\)\.|\?\.|!\.|\.\s+\./);
    }
  });

  it("keeps Bedrock's words for a context-window error, so the limit hit shows", () => {
    const said = "Input is too long for requested model. Max tokens: 200000, requested: 250321";
    const error = toChatError(sdkError("ValidationException", said), where);
    expect(error.code).toBe("context_overflow");
    expect(error.message).toBe(`This conversation is too long for the model's context window. Start a new chat, or remove attachments or long messages, and try again. Bedrock said: ${said}`);
  });

  it("says what happened without a dangling quote when Bedrock said nothing", () => {
    const error = toChatError(sdkError("ThrottlingException", ""), where);
    expect(error.message).toBe("Bedrock is throttling requests to model us.amazon.nova-pro-v1:0 in us-west-2. Wait a moment and retry.");
    expect(error.providerMessage).toBeUndefined();
  });
});
