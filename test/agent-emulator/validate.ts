/**
 * Prompt Management's input rules (../shared/reference/bedrock-api.md section 5 and the "Emulator must reject" list),
 * phrased as Bedrock phrases them ("1 validation error detected: Value ... at '...' failed to satisfy constraint").
 */

type Json = Record<string, unknown>;

export class AgentFault extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const NAME_PATTERN = "([0-9a-zA-Z][_-]?){1,100}";
const NAME = new RegExp(`^${NAME_PATTERN}$`);
const IDENTIFIER = /^(?:([0-9a-zA-Z]{10})|arn:aws:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:prompt\/([0-9a-zA-Z]{10})(?::[0-9]{1,5})?)$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$/;
const VERSION = /^(DRAFT|[0-9]{0,4}[1-9][0-9]{0,4})$/;
/** The text limit the issue states for Bedrock's text templates (not in the API model: an assumption, see README). */
export const TEXT_LIMIT = 200_000;

const invalid = (message: string) => new AgentFault("ValidationException", 400, message);
const constraint = (value: unknown, at: string, rule: string) =>
  invalid(`1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${typeof value === "string" ? value : JSON.stringify(value)}'`} at '${at}' failed to satisfy constraint: ${rule}`);

export function checkName(name: unknown, at = "name"): string {
  if (typeof name !== "string") throw constraint(name, at, "Member must not be null");
  if (!NAME.test(name)) throw constraint(name, at, `Member must satisfy regular expression pattern: ${NAME_PATTERN}`);
  return name;
}

export function checkDescription(description: unknown, at = "description"): string | undefined {
  if (description === undefined) return undefined;
  if (typeof description !== "string" || description.length < 1) throw constraint(description, at, "Member must have length greater than or equal to 1");
  if (description.length > 200) throw constraint(description, at, "Member must have length less than or equal to 200");
  return description;
}

export function checkClientToken(token: unknown): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== "string" || token.length < 33) throw constraint(token, "clientToken", "Member must have length greater than or equal to 33");
  if (token.length > 256) throw constraint(token, "clientToken", "Member must have length less than or equal to 256");
  if (!CLIENT_TOKEN.test(token)) throw constraint(token, "clientToken", "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}");
  return token;
}

/** The 10-character id from a promptIdentifier (id or prompt ARN, URL-decoded). */
export function checkIdentifier(identifier: string): string {
  const match = IDENTIFIER.exec(identifier);
  if (!match) throw constraint(identifier, "promptIdentifier", "Member must satisfy regular expression pattern: ([0-9a-zA-Z]{10})|(arn:aws:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:prompt/[0-9a-zA-Z]{10})(?::[0-9]{1,5})?");
  return (match[1] ?? match[2])!;
}

export function checkVersion(version: string | null): "DRAFT" | number {
  if (version === null) return "DRAFT";
  if (!VERSION.test(version)) throw constraint(version, "promptVersion", "Member must satisfy regular expression pattern: (DRAFT|[0-9]{0,4}[1-9][0-9]{0,4})");
  return version === "DRAFT" ? "DRAFT" : Number(version);
}

export function checkMaxResults(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw constraint(value, "maxResults", "Member must have value greater than or equal to 1");
  if (n > 1000) throw constraint(value, "maxResults", "Member must have value less than or equal to 1000");
  return n;
}

/** Variants and the default variant of CreatePrompt / UpdatePrompt: at most one, TEXT or CHAT matching its union member. */
export function checkVariants(body: Json): { variants: Json[]; defaultVariant: string | undefined } {
  const variants = body["variants"] ?? [];
  if (!Array.isArray(variants)) throw constraint(variants, "variants", "Member must be a list");
  if (variants.length > 1) throw invalid("1 validation error detected: Value at 'variants' failed to satisfy constraint: Member must have length less than or equal to 1");
  variants.forEach((variant: Json, i) => {
    const at = `variants.${i + 1}.member`;
    checkName(variant["name"], `${at}.name`);
    const type = variant["templateType"];
    if (type !== "TEXT" && type !== "CHAT") throw constraint(type, `${at}.templateType`, "Member must satisfy enum value set: [TEXT, CHAT]");
    const config = variant["templateConfiguration"] as Json | undefined;
    if (!config || typeof config !== "object") throw constraint(undefined, `${at}.templateConfiguration`, "Member must not be null");
    const members = Object.keys(config).filter((k) => config[k] !== undefined && config[k] !== null);
    if (members.length !== 1) throw constraint(undefined, `${at}.templateConfiguration`, "Member must have exactly one field set");
    if ((type === "TEXT") !== (members[0] === "text")) throw invalid(`The templateType ${String(type)} does not match the template configuration ${members[0]} of variant ${String(variant["name"])}.`);
    if (type === "TEXT") checkTextTemplate(config["text"] as Json, `${at}.templateConfiguration.text`);
    const inference = (variant["inferenceConfiguration"] as Json | undefined)?.["text"] as Json | undefined;
    const stops = inference?.["stopSequences"];
    if (Array.isArray(stops) && stops.length > 4) throw constraint(stops, `${at}.inferenceConfiguration.text.stopSequences`, "Member must have length less than or equal to 4");
  });
  const defaultVariant = body["defaultVariant"];
  if (defaultVariant !== undefined) {
    checkName(defaultVariant, "defaultVariant");
    if (!variants.some((v: Json) => v["name"] === defaultVariant)) throw invalid("The default variant must match one of the variant names.");
  }
  return { variants: variants as Json[], defaultVariant: defaultVariant as string | undefined };
}

function checkTextTemplate(text: Json | undefined, at: string): void {
  const value = text?.["text"];
  if (typeof value !== "string") throw constraint(undefined, `${at}.text`, "Member must not be null");
  if (value.length < 1) throw constraint(value, `${at}.text`, "Member must have length greater than or equal to 1");
  if (value.length > TEXT_LIMIT) throw invalid(`1 validation error detected: Value at '${at}.text' failed to satisfy constraint: Member must have length less than or equal to ${TEXT_LIMIT}`);
  const variables = text?.["inputVariables"] ?? [];
  if (!Array.isArray(variables)) throw constraint(variables, `${at}.inputVariables`, "Member must be a list");
  if (variables.length > 20) throw constraint(variables, `${at}.inputVariables`, "Member must have length less than or equal to 20");
  variables.forEach((v: Json, i) => checkName(v?.["name"], `${at}.inputVariables.${i + 1}.member.name`));
}
