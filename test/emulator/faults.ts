import { createHmac } from "node:crypto";
import type { Family } from "./models.js";

/** An error Bedrock would answer with: error type, HTTP status and message text (reference section 3). */
export class BedrockFault extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const validation = (message: string) => new BedrockFault("ValidationException", 400, message);
export const modelSaid = (message: string) => validation(`The model returned the following errors: ${message}`);
export const constraint = (value: string | null, path: string, rule: string) =>
  validation(`1 validation error detected: Value ${value === null ? "" : `${value} `}at '${path}' failed to satisfy constraint: ${rule}`);

/**
 * Reasoning signatures: an HMAC over the reasoning text with a per-family key, so that altered reasoning,
 * or reasoning produced by another model family, is detected exactly as Bedrock detects it.
 */
export function signReasoning(family: Family, text: string): string {
  return createHmac("sha256", `emulator-${family}`).update(text).digest("base64");
}
