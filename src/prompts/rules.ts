import { PROMPT_NOTE_LIMIT, PROMPT_TEXT_LIMIT } from "../shared/prompts.js";
import { PROMPT_NAME_PATTERN } from "./names.js";
import { PromptStoreError } from "./types.js";

/**
 * Bedrock Prompt Management's input rules, checked by the local store so that both stores refuse the same things
 * (the contract tests run on both); the Bedrock store leaves the checking to Bedrock.
 */
export function checkPromptInput(input: { name?: string; text?: string; description?: string | undefined }): void {
  if (input.name !== undefined && !PROMPT_NAME_PATTERN.test(input.name)) {
    throw new PromptStoreError("validation", `The prompt name "${input.name}" is not allowed: use letters and digits, with single - or _ between them, at most 100.`);
  }
  if (input.text !== undefined && input.text.length > PROMPT_TEXT_LIMIT) {
    throw new PromptStoreError("validation", `The prompt text has ${input.text.length.toLocaleString("en-US")} characters; the limit is ${PROMPT_TEXT_LIMIT.toLocaleString("en-US")}.`);
  }
  if (input.description !== undefined && (input.description.length < 1 || input.description.length > PROMPT_NOTE_LIMIT)) {
    throw new PromptStoreError("validation", `A note must have 1 to ${PROMPT_NOTE_LIMIT} characters (this one has ${input.description.length}).`);
  }
}
