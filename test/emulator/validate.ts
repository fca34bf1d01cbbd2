import { BedrockFault, constraint, modelSaid, signReasoning, validation } from "./faults.js";
import { GEOGRAPHIES, MODELS, type EmulatedModel, type ResolvedModelId } from "./models.js";

/**
 * Bedrock's validation of a Converse / ConverseStream request, in the order Bedrock applies it: model id,
 * schema constraints (1-based Smithy paths), semantic rules (0-based), then the model provider's own rules.
 * Messages follow reference/bedrock-api.md ("Emulator must reject").
 */
type Json = Record<string, unknown>;

const MODEL_ID_PATTERN = /^(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:(([0-9]{12}:(inference-profile|application-inference-profile)\/[a-zA-Z0-9-:.]+)|(:foundation-model\/[a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63}))))|([a-zA-Z0-9-:.]+)$/;
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const TOOL_USE_ID = /^[a-zA-Z0-9_.:-]{1,64}$/;
const DOC_NAME = /^[A-Za-z0-9_\-()[\] ]+$/;
const IMAGE_FORMATS = ["png", "jpeg", "gif", "webp"];
const DOC_FORMATS = ["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"];
const BLOCK_MEMBERS = ["text", "image", "document", "video", "audio", "toolUse", "toolResult", "guardContent", "cachePoint", "reasoningContent", "citationsContent", "searchResult"];
const EFFORTS = ["low", "medium", "high"];
/**
 * Bedrock's limits for one image and one document (reference 1.3). "3.75 MB" and "4.5 MB" are read as 3,750,000
 * and 4,500,000 bytes: the stricter reading, so that a request the real service might refuse fails here too.
 */
const IMAGE_MAX_BYTES = 3_750_000;
const IMAGE_MAX_SIDE = 8000;
const DOCUMENT_MAX_BYTES = 4_500_000;
/** S3Location (reference 10.4): `uri` 1..1024 matching this pattern, optional `bucketOwner` of 12 digits. */
const S3_URI_PATTERN = "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?";
const S3_URI = new RegExp(`^${S3_URI_PATTERN}$`);
const BUCKET_OWNER = /^[0-9]{12}$/;
export const INTERLEAVED_BETA = "interleaved-thinking-2025-05-14";

export function resolveModelId(modelId: string, region: string): ResolvedModelId {
  if (modelId.length === 0) throw constraint("''", "modelId", "Member must have length greater than or equal to 1");
  if (modelId.length > 2048) throw constraint(null, "modelId", "Member must have length less than or equal to 2048");
  if (!MODEL_ID_PATTERN.test(modelId)) {
    throw constraint(`'${modelId}'`, "modelId", "Member must satisfy regular expression pattern: [a-zA-Z0-9-:.]+");
  }
  let id = modelId;
  const arn = /^arn:aws:bedrock:([a-z0-9-]+):\d{0,12}:(?:foundation-model|inference-profile)\/(.+)$/.exec(modelId);
  if (arn) id = arn[2]!;
  const dot = id.indexOf(".");
  const head = id.slice(0, dot);
  const geo = head in GEOGRAPHIES ? head : undefined;
  const baseId = geo ? id.slice(dot + 1) : id;
  const model = MODELS[baseId];
  if (!model) throw validation("The provided model identifier is invalid.");
  if (geo && !GEOGRAPHIES[geo]!(region)) throw validation("The provided model identifier is invalid.");
  if (!geo && model.profileOnly) {
    throw validation(
      `Invocation of model ID ${baseId} with on-demand throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
    );
  }
  return { baseId, model, ...(geo ? { geo } : {}) };
}

export function validateRequest(body: Json, resolved: ResolvedModelId, options: { checkContext?: boolean } = {}): void {
  const { model } = resolved;
  const messages = body["messages"];
  if (!Array.isArray(messages) || messages.length === 0) {
    throw validation("A conversation must start with a user message. Try again with a conversation that starts with a user message.");
  }
  checkSchema(body, messages);
  checkConversation(messages, body);
  checkMedia(messages, resolved);
  checkInference(body, model.maxOutputTokens);
  checkTools(body, model);
  checkCachePoints(body, model);
  checkModelFields(body, messages, resolved);
  if (options.checkContext !== false) checkContext(body, resolved.model.contextTokens);
}

function checkSchema(body: Json, messages: unknown[]): void {
  messages.forEach((raw, i) => {
    const m = raw as Json;
    const at = `messages.${i + 1}.member`;
    if (m["role"] !== "user" && m["role"] !== "assistant") {
      throw constraint(`'${String(m["role"])}'`, `${at}.role`, "Member must satisfy enum value set: [user, assistant]");
    }
    if (m["content"] === undefined || m["content"] === null) throw constraint("null", `${at}.content`, "Member must not be null");
    const content = m["content"] as unknown[];
    content.forEach((block, j) => {
      const set = Object.keys(block as Json).filter((k) => BLOCK_MEMBERS.includes(k));
      if (set.length !== 1) throw constraint(null, `${at}.content.${j + 1}.member`, "Member must have exactly one field set");
      const b = block as Json;
      const path = `${at}.content.${j + 1}.member`;
      if (b["image"]) {
        const image = b["image"] as Json;
        if (!IMAGE_FORMATS.includes(image["format"] as string)) {
          throw constraint(`'${String(image["format"])}'`, `${path}.image.format`, `Member must satisfy enum value set: [${IMAGE_FORMATS.join(", ")}]`);
        }
        checkSource(image["source"], `${path}.image.source`);
      }
      if (b["document"]) {
        const doc = b["document"] as Json;
        const name = doc["name"];
        if (typeof name !== "string" || name.length === 0) throw constraint(null, `${path}.document.name`, "Member must have length greater than or equal to 1");
        if (name.length > 200) throw constraint(null, `${path}.document.name`, "Member must have length less than or equal to 200");
        if (!DOC_FORMATS.includes(doc["format"] as string)) {
          throw constraint(`'${String(doc["format"])}'`, `${path}.document.format`, `Member must satisfy enum value set: [${DOC_FORMATS.join(", ")}]`);
        }
        checkSource(doc["source"], `${path}.document.source`);
      }
      if (b["toolUse"]) {
        const use = b["toolUse"] as Json;
        if (!TOOL_USE_ID.test(String(use["toolUseId"] ?? ""))) throw constraint(null, `${path}.toolUse.toolUseId`, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.:-]+");
        if (!TOOL_NAME.test(String(use["name"] ?? ""))) throw constraint(null, `${path}.toolUse.name`, "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
      }
      if (b["toolResult"]) {
        const result = b["toolResult"] as Json;
        if (!Array.isArray(result["content"])) throw constraint("null", `${path}.toolResult.content`, "Member must not be null");
        if (result["status"] !== undefined && result["status"] !== "success" && result["status"] !== "error") {
          throw constraint(`'${String(result["status"])}'`, `${path}.toolResult.status`, "Member must satisfy enum value set: [success, error]");
        }
      }
    });
  });
  const system = body["system"];
  if (Array.isArray(system)) {
    system.forEach((block, k) => {
      const text = (block as Json)["text"];
      if (text !== undefined && (typeof text !== "string" || text.length === 0)) {
        throw constraint(null, `system.${k + 1}.member.text`, "Member must have length greater than or equal to 1");
      }
    });
  }
}

/** An image or document source: non-empty bytes, or an S3 location whose `uri` and `bucketOwner` match the model's patterns. */
function checkSource(raw: unknown, path: string): void {
  const source = (raw ?? {}) as Json;
  const s3 = source["s3Location"] as Json | undefined;
  if (s3 === undefined) {
    if (!(source["bytes"] as string)) throw constraint(null, `${path}.bytes`, "Member must have length greater than or equal to 1");
    return;
  }
  const uri = s3["uri"];
  if (typeof uri !== "string") throw constraint("null", `${path}.s3Location.uri`, "Member must not be null");
  if (uri.length > 1024) throw constraint(null, `${path}.s3Location.uri`, "Member must have length less than or equal to 1024");
  if (!S3_URI.test(uri)) throw constraint(`'${uri}'`, `${path}.s3Location.uri`, `Member must satisfy regular expression pattern: ${S3_URI_PATTERN}`);
  const owner = s3["bucketOwner"];
  if (owner !== undefined && (typeof owner !== "string" || !BUCKET_OWNER.test(owner))) {
    throw constraint(`'${String(owner)}'`, `${path}.s3Location.bucketOwner`, "Member must satisfy regular expression pattern: [0-9]{12}");
  }
}

function checkConversation(messages: unknown[], body: Json): void {
  const docNames = new Set<string>();
  let images = 0;
  let documents = 0;
  let toolBlocks = false;
  messages.forEach((raw, i) => {
    const m = raw as Json;
    const content = m["content"] as Json[];
    if (content.length === 0) {
      throw validation(`The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`);
    }
    if (i === 0 && m["role"] !== "user") {
      throw validation("A conversation must start with a user message. Try again with a conversation that starts with a user message.");
    }
    if (i > 0 && (messages[i - 1] as Json)["role"] === m["role"]) {
      throw validation("A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.");
    }
    let hasText = false;
    let hasDocument = false;
    content.forEach((block, j) => {
      if (typeof block["text"] === "string") {
        if (block["text"].length === 0) {
          throw validation(`The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`);
        }
        hasText = true;
      }
      if (block["image"] || block["document"]) {
        if (m["role"] !== "user") throw validation("Images and documents are only supported in user messages.");
        if (block["image"]) images++;
        if (block["document"]) {
          documents++;
          hasDocument = true;
          const name = (block["document"] as Json)["name"] as string;
          if (!DOC_NAME.test(name) || /\s\s/.test(name)) {
            throw validation(
              "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character. Check that the file name conforms to these restrictions and retry your request.",
            );
          }
          if (docNames.has(name)) throw validation("Duplicate document names are not allowed. Make sure each document has a unique name and try again.");
          docNames.add(name);
        }
      }
      if (block["reasoningContent"]) {
        if (m["role"] !== "assistant") throw validation(`Reasoning content is only supported in assistant messages (messages.${i}.content.${j}).`);
        const r = block["reasoningContent"] as Json;
        if ((r["reasoningText"] !== undefined) === (r["redactedContent"] !== undefined)) {
          throw constraint(null, `messages.${i + 1}.member.content.${j + 1}.member.reasoningContent`, "Member must have exactly one field set");
        }
      }
      if (block["toolUse"] || block["toolResult"]) toolBlocks = true;
      if (block["toolResult"]) {
        const result = block["toolResult"] as Json;
        if (result["status"] === "error" && (result["content"] as unknown[]).length === 0) {
          throw validation(`The content field at messages.${i}.content.${j}.toolResult cannot be empty when status value is error.`);
        }
        // Reference 10.3 (recorded): a `json` item must be a JSON object (not an array, string, number, boolean or null).
        (result["content"] as Json[]).forEach((item, n) => {
          if ("json" in item && !isObject(item["json"])) {
            throw validation(`The format of the value at messages.${i}.content.${j}.toolResult.content.${n}.json is invalid. Provide a json object for the field and try again.`);
          }
        });
      }
    });
    if (hasDocument && !hasText) throw validation("A text block must be included when using documents.");
    // Every toolUse is answered by a toolResult in the next (user) message; every toolResult answers one.
    if (m["role"] === "assistant") {
      const ids = content.flatMap((b) => (b["toolUse"] ? [String((b["toolUse"] as Json)["toolUseId"])] : []));
      const dup = ids.find((id, k) => ids.indexOf(id) !== k);
      if (dup) throw validation(`The toolUse blocks at messages.${i}.content contain duplicate Ids: ${dup}`);
      if (ids.length) {
        const next = messages[i + 1] as Json | undefined;
        const answered = new Set(
          ((next?.["content"] as Json[] | undefined) ?? []).flatMap((b) => (b["toolResult"] ? [String((b["toolResult"] as Json)["toolUseId"])] : [])),
        );
        const missing = ids.filter((id) => !answered.has(id));
        if (missing.length) throw validation(`Expected toolResult blocks at messages.${i + 1}.content for the following Ids: ${missing.join(", ")}`);
      }
    } else {
      const previous = i > 0 ? ((messages[i - 1] as Json)["content"] as Json[]) : [];
      const asked = new Set(previous.flatMap((b) => (b["toolUse"] ? [String((b["toolUse"] as Json)["toolUseId"])] : [])));
      content.forEach((b, j) => {
        if (!b["toolResult"]) return;
        const id = String((b["toolResult"] as Json)["toolUseId"]);
        if (!asked.has(id)) {
          throw modelSaid(
            `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        }
      });
    }
  });
  if (images > 20) throw validation("Too many images. The maximum number of images is 20.");
  if (documents > 5) throw validation("Too many documents. The maximum number of documents is 5.");
  if (toolBlocks && !body["toolConfig"]) throw validation("The toolConfig field must be defined when using toolUse and toolResult content blocks.");
}

/**
 * Images and documents against the model and Bedrock's limits, in user content and in tool results: the model
 * must take the kind of file (vision / documents) and, for an S3 source, S3 sources; inline bytes must be within
 * 3.75 MB and 8,000 px per side (an image) or 4.5 MB (a document). Size texts are the reference's approximate ones.
 */
function checkMedia(messages: unknown[], { model }: ResolvedModelId): void {
  messages.forEach((raw, i) => {
    ((raw as Json)["content"] as Json[]).forEach((block, j) => {
      const nested = block["toolResult"] ? (((block["toolResult"] as Json)["content"] as Json[] | undefined) ?? []) : [];
      for (const b of [block, ...nested]) {
        if (b["image"]) checkImage(b["image"] as Json, model);
        if (b["document"]) checkDocument(b["document"] as Json, model, i, j);
      }
    });
  });
}

function checkImage(image: Json, model: EmulatedModel): void {
  if (!model.vision) throw validation("This model doesn't support images.");
  const source = image["source"] as Json;
  if (source["s3Location"]) {
    if (!model.s3Sources) throw validation("This model doesn't support the s3Uri field. Remove s3Uri and try again.");
    return;
  }
  const base64 = String(source["bytes"]);
  const tooLarge = "The image exceeds the maximum size of 3.75 MB / dimensions 8000x8000.";
  if (Buffer.byteLength(base64, "base64") > IMAGE_MAX_BYTES) throw validation(tooLarge);
  const size = imageDimensions(Buffer.from(base64, "base64"));
  if (size && (size.width > IMAGE_MAX_SIDE || size.height > IMAGE_MAX_SIDE)) throw validation(tooLarge);
}

function checkDocument(doc: Json, model: EmulatedModel, i: number, j: number): void {
  if (!model.documents) throw validation("This model doesn't support documents.");
  const source = doc["source"] as Json;
  if (source["s3Location"]) {
    if (model.s3Sources) return;
    // Claude answers an S3 document as its provider would (recorded); other families as for an S3 image (unverified).
    throw model.family === "anthropic" ? modelSaid(`messages.${i}.content.${j}.document.source.type: Field required`) : validation("This model doesn't support the s3Uri field. Remove s3Uri and try again.");
  }
  if (Buffer.byteLength(String(source["bytes"]), "base64") > DOCUMENT_MAX_BYTES) throw validation("The document exceeds the maximum size of 4.5 MB.");
}

/**
 * The size in pixels an image's header declares, read from the bytes (PNG IHDR, GIF screen descriptor, JPEG SOF
 * marker, WebP VP8 / VP8L / VP8X), whatever format the block claims; undefined when the header cannot be read.
 */
export function imageDimensions(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("latin1", 12, 16) === "IHDR") return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString("latin1", 0, 3) === "GIF") return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const chunk = b.toString("latin1", 12, 16);
    if (chunk === "VP8 ") return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === "VP8L") {
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === "VP8X") return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) return undefined;
      const marker = b[at + 1]!;
      if (marker === 0xff) {
        at++; // fill byte
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2; // markers without a length
        continue;
      }
      // Start of frame: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) };
      }
      at += 2 + b.readUInt16BE(at + 2);
    }
  }
  return undefined;
}

function checkInference(body: Json, maxOutputTokens: number): void {
  const config = (body["inferenceConfig"] ?? {}) as Json;
  const maxTokens = config["maxTokens"];
  if (typeof maxTokens === "number") {
    if (maxTokens < 1) throw constraint(`'${maxTokens}'`, "inferenceConfig.maxTokens", "Member must have value greater than or equal to 1");
    if (maxTokens > maxOutputTokens) {
      throw validation(`The maximum tokens you requested exceeds the model limit of ${maxOutputTokens}. Try again with a maximum tokens value that is lower than ${maxOutputTokens}.`);
    }
  }
  for (const key of ["temperature", "topP"]) {
    const value = config[key];
    if (typeof value !== "number") continue;
    if (value > 1) throw constraint(`'${value}'`, `inferenceConfig.${key}`, "Member must have value less than or equal to 1");
    if (value < 0) throw constraint(`'${value}'`, `inferenceConfig.${key}`, "Member must have value greater than or equal to 0");
  }
  const stops = config["stopSequences"];
  if (Array.isArray(stops)) {
    if (stops.length > 2500) throw constraint(null, "inferenceConfig.stopSequences", "Member must have length less than or equal to 2500");
    if (stops.some((s) => typeof s !== "string" || s.length === 0)) throw constraint(null, "inferenceConfig.stopSequences", "Member must have length greater than or equal to 1");
  }
}

/**
 * toolConfig (reference 1.4, 10.1): Smithy constraints on every tool first (1-based paths), then Bedrock's own
 * checks of each schema (0-based), then the model provider's rules for the family.
 */
function checkTools(body: Json, model: EmulatedModel): void {
  const config = body["toolConfig"] as Json | undefined;
  if (!config) return;
  if (!model.tools) throw validation("This model doesn't support tool use.");
  const tools = config["tools"];
  if (!Array.isArray(tools) || tools.length === 0) {
    throw constraint("'[]'", "toolConfig.tools", "Member must have length greater than or equal to 1");
  }
  const specs = tools.map((tool) => (tool as Json)["toolSpec"] as Json | undefined);
  specs.forEach((spec, k) => {
    if (!spec) return;
    const name = String(spec["name"] ?? "");
    if (!TOOL_NAME.test(name)) throw constraint(null, `toolConfig.tools.${k + 1}.member.toolSpec.name`, "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
    // NonEmptyString (min 1, no max) [V BC]; recorded text quotes the empty value (BerriAI/litellm#19384, cited in 10.1).
    if (spec["description"] === "") throw constraint("''", `toolConfig.tools.${k + 1}.member.toolSpec.description`, "Member must have length greater than or equal to 1");
  });
  const names = new Set<string>();
  specs.forEach((spec, k) => {
    if (!spec) return;
    const name = String(spec["name"]);
    const schema = ((spec["inputSchema"] as Json | undefined)?.["json"] ?? undefined) as Json | undefined;
    if (!schema || schema["type"] !== "object") {
      throw validation(`The value at toolConfig.tools.${k}.toolSpec.inputSchema.json.type must be one of the following: object.`);
    }
    checkMetaSchema(schema, k);
    if (names.has(name)) throw modelSaid("tools: Tool names must be unique.");
    names.add(name);
  });
  if (model.family === "anthropic") checkClaudeSchemas(specs);
  if (model.family === "nova") checkNovaSchemas(specs);
}

/**
 * Bedrock's meta-validation of a tool schema (reference 10.1, recorded for the root): `properties` must be an
 * object. Which keywords and depths Bedrock checks is an open question there; the emulator checks `properties` in
 * every subschema (the stricter reading), naming the place the way the recorded text does (`$.properties`).
 */
function checkMetaSchema(schema: Json, k: number): void {
  eachSubschema(schema, "$", (s, path) => {
    if ("properties" in s && !isObject(s["properties"])) {
      throw validation(
        `The json schema definition at toolConfig.tools.${k}.toolSpec.inputSchema is invalid. Fix the following errors and try again: ${path}.properties: ${jsonType(s["properties"])} found, object expected`,
      );
    }
  });
}

/**
 * Claude (reference 10.1): `required` must be a list (recorded at the root; the emulator applies it at any depth
 * with the same text), every `$ref` must point into the schema, and at most 16 parameters over all tools may have
 * a union type (a type list or `anyOf`).
 */
const MAX_UNION_PARAMETERS = 16;
function checkClaudeSchemas(specs: (Json | undefined)[]): void {
  let unions = 0;
  specs.forEach((spec, k) => {
    if (!spec) return;
    const schema = (spec["inputSchema"] as Json)["json"] as Json;
    eachSubschema(schema, "$", (s) => {
      if ("required" in s && !Array.isArray(s["required"])) throw modelSaid(`tools.${k}.custom.input_schema.required: Input should be a valid list`);
      const ref = s["$ref"];
      if (typeof ref === "string" && resolveRef(schema, ref) === undefined) throw modelSaid(`tools.${k}.custom: Invalid schema: Reference to non-existent definition: ${ref}`);
      if (Array.isArray(s["type"]) || Array.isArray(s["anyOf"])) unions++;
    });
  });
  if (unions > MAX_UNION_PARAMETERS) {
    // The reference quotes the recorded text only up to "anyOf)." and marks the rest "...".
    throw modelSaid(`Schemas contains too many parameters with union types (${unions} parameters with type arrays or anyOf). ...`);
  }
}

/** Nova (reference 10.1, recorded): no `definitions` or `$defs` at the schema root. */
function checkNovaSchemas(specs: (Json | undefined)[]): void {
  specs.forEach((spec, k) => {
    if (!spec) return;
    const schema = (spec["inputSchema"] as Json)["json"] as Json;
    const key = Object.keys(schema).find((key) => key === "definitions" || key === "$defs");
    if (key) {
      throw modelSaid(`Malformed input request: #/toolConfig/tools/${k}/toolSpec/inputSchema/json: extraneous key [${key}] is not permitted, please reformat your input and try again.`);
    }
  });
}

/** Keywords holding one subschema, a list of subschemas, or a map of them (draft 2020-12 and draft 7). */
const ONE_SUBSCHEMA = ["items", "additionalItems", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
const SUBSCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems", "items"];
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"];

/** Calls `visit` for the schema and each subschema in it, with a `$.a.b[0]` path (data such as `enum` values is not walked). */
function eachSubschema(schema: unknown, path: string, visit: (s: Json, path: string) => void): void {
  if (!isObject(schema)) return;
  visit(schema, path);
  for (const k of ONE_SUBSCHEMA) if (isObject(schema[k])) eachSubschema(schema[k], `${path}.${k}`, visit);
  for (const k of SUBSCHEMA_LISTS) {
    const list = schema[k];
    if (Array.isArray(list)) list.forEach((sub, n) => eachSubschema(sub, `${path}.${k}[${n}]`, visit));
  }
  for (const k of SUBSCHEMA_MAPS) {
    const map = schema[k];
    if (isObject(map)) for (const [name, sub] of Object.entries(map)) eachSubschema(sub, `${path}.${k}.${name}`, visit);
  }
}

/** What a `$ref` points to in the schema: only local JSON pointers (`#`, `#/a/b`) resolve. */
function resolveRef(root: Json, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const path = ref.slice(1);
  if (path === "") return root;
  if (!path.startsWith("/")) return undefined;
  let at: unknown = root;
  for (const raw of path.slice(1).split("/")) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (!at || typeof at !== "object" || !Object.prototype.hasOwnProperty.call(at, token)) return undefined;
    at = (at as Json)[token];
  }
  return at;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A JSON value's type as JSON Schema validators name it in messages ("null found, object expected"). */
function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The model provider's own rules: reasoning parameters, sampling while thinking, signatures in history. */
function checkModelFields(body: Json, messages: unknown[], { model }: ResolvedModelId): void {
  const fields = (body["additionalModelRequestFields"] ?? {}) as Json;
  const config = (body["inferenceConfig"] ?? {}) as Json;
  const keys = Object.keys(fields);
  const unknownParam = (key: string) =>
    modelSaid(JSON.stringify({ error: { code: "unknown_parameter", message: `Unknown parameter: '${key}'.`, param: key, type: "invalid_request_error" } }));

  if (model.family === "anthropic") {
    for (const key of keys) {
      if (key !== "thinking" && key !== "anthropic_beta" && key !== "top_k") throw modelSaid(`${key}: Extra inputs are not permitted`);
    }
    const thinking = fields["thinking"] as Json | undefined;
    const beta = fields["anthropic_beta"];
    if (beta !== undefined) {
      const flags = Array.isArray(beta) ? beta : [beta];
      for (const flag of flags) {
        if (flag !== INTERLEAVED_BETA || !model.interleaved) throw modelSaid(`invalid beta flag: ${String(flag)}`);
      }
    }
    if (thinking && thinking["type"] === "enabled") {
      if (model.reasoning !== "budget") throw modelSaid("thinking: Extra inputs are not permitted");
      const budget = thinking["budget_tokens"];
      if (typeof budget !== "number" || budget < 1024) throw modelSaid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
      const maxTokens = config["maxTokens"];
      const interleaved = Array.isArray(beta) && beta.includes(INTERLEAVED_BETA);
      if (!interleaved && typeof maxTokens === "number" && maxTokens <= budget) {
        throw modelSaid(
          "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size",
        );
      }
      if (config["temperature"] !== undefined && config["temperature"] !== 1) {
        throw modelSaid(
          "`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking",
        );
      }
      if (typeof config["topP"] === "number" && config["topP"] < 0.95) throw modelSaid("`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled");
      if (fields["top_k"] !== undefined) throw modelSaid("`top_k` must be unset when thinking is enabled");
      const choice = (body["toolConfig"] as Json | undefined)?.["toolChoice"] as Json | undefined;
      if (choice && (choice["any"] || choice["tool"])) throw modelSaid("Thinking may not be enabled when tool_choice forces tool use.");
      checkThinkingHistory(messages);
      const last = messages[messages.length - 1] as Json;
      if (last["role"] === "assistant") throw modelSaid("This model does not support assistant message prefill when thinking is enabled.");
    }
    checkSignatures(messages, "anthropic", true);
  } else if (model.reasoning === "effort") {
    for (const key of keys) {
      if (key !== "reasoning_effort") throw unknownParam(key);
    }
    if (fields["reasoning_effort"] !== undefined && !EFFORTS.includes(fields["reasoning_effort"] as string)) {
      throw modelSaid(`reasoning_effort: Input should be 'low', 'medium' or 'high'`);
    }
  } else {
    if (keys.length) throw model.family === "deepseek-r1" ? unknownParam(keys[0]!) : modelSaid(`Malformed input request: extraneous key [${keys[0]}] is not permitted`);
    if (model.reasoning === "none") checkSignatures(messages, model.family, false);
  }
}

/** With thinking on, a final assistant message that calls tools must start with its (unmodified) reasoning. */
function checkThinkingHistory(messages: unknown[]): void {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Json;
    if (m["role"] !== "assistant") continue;
    const content = m["content"] as Json[];
    if (content.some((b) => b["toolUse"]) && !content[0]?.["reasoningContent"]) {
      const found = content[0]?.["toolUse"] ? "tool_use" : "text";
      throw modelSaid(
        `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
      );
    }
    return;
  }
}

/** Reasoning blocks sent back must carry the signature this model family gave them; others cannot take them. */
function checkSignatures(messages: unknown[], family: string, accepts: boolean): void {
  let latestAssistant = -1;
  messages.forEach((m, i) => {
    if ((m as Json)["role"] === "assistant") latestAssistant = i;
  });
  messages.forEach((raw, i) => {
    const content = (raw as Json)["content"] as Json[];
    content.forEach((block, j) => {
      const reasoning = block["reasoningContent"] as Json | undefined;
      if (!reasoning) return;
      if (!accepts) throw modelSaid(`messages.${i}.content.${j}: reasoning content is not supported by this model`);
      const text = reasoning["reasoningText"] as Json | undefined;
      if (!text) return;
      if (typeof text["signature"] !== "string") throw modelSaid(`messages.${i}.content.${j}.thinking.signature: Field required`);
      if (text["signature"] !== signReasoning(family as "anthropic", String(text["text"] ?? ""))) {
        throw modelSaid(
          i === latestAssistant
            ? `messages.${i}.content.${j}: thinking or redacted_thinking blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.`
            : `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`,
        );
      }
    });
  });
}

/**
 * Rough token count against the model's context window: 4 characters a token for text (the JSON of the tools,
 * system blocks and message blocks, without file bytes), and for files what a model reads rather than their
 * base64: an image about (width × height) / 750 tokens, at most 1,600 (models scale large images down); a text document (txt, md,
 * csv, html) 4 bytes a token; a binary document (pdf, doc(x), xls(x)) 64 bytes a token (a rough guess at its text).
 */
function checkContext(body: Json, contextTokens: number): void {
  if (estimateInputTokens(body) > contextTokens) throw validation("Input is too long for requested model.");
}

/**
 * The estimate, per block so that a cached prefix and the whole request are counted alike: ceil(characters / 4)
 * + file tokens, where the characters are those of each tool's, system block's and content block's JSON (file
 * bytes left out) plus each message's role, and cachePoint blocks count nothing.
 */
export function estimateInputTokens(body: Json): number {
  const blocks = promptBlocks(body);
  return Math.max(1, tokensOf(blocks.reduce((n, b) => n + b.chars, 0), blocks.reduce((n, b) => n + b.media, 0)));
}

export const tokensOf = (chars: number, media: number) => Math.ceil(chars / 4) + media;

/**
 * One block of the prompt in Bedrock's caching order: tools, then system, then messages (reference
 * bedrock-prompt-caching.md section 1). A cachePoint inside a tool result is no block of its own: Bedrock ignores
 * it there (section 5, reported).
 */
export interface PromptBlock {
  section: "tools" | "system" | "messages";
  /** Index in `toolConfig.tools` or `system`, or the message's index. */
  index: number;
  /** For messages: the index in the message's content. */
  block: number;
  value: Json;
  /** Set when the block is a cachePoint. */
  cachePoint?: Json;
  /** The exact content (file bytes included, with its section and the message's role): what a cached prefix is keyed by. */
  content: string;
  chars: number;
  media: number;
}

export function promptBlocks(body: Json): PromptBlock[] {
  const out: PromptBlock[] = [];
  const add = (section: PromptBlock["section"], index: number, raw: unknown, block: number, role = "") => {
    const value = (isObject(raw) ? raw : {}) as Json;
    if (isObject(value["cachePoint"])) {
      out.push({ section, index, block, value, cachePoint: value["cachePoint"], content: "", chars: 0, media: 0 });
      return;
    }
    let media = 0;
    const json = JSON.stringify(value, function (this: unknown, key, v: unknown) {
      if ((key === "image" || key === "document") && isObject(v) && "source" in v) {
        media += key === "image" ? imageTokens(v) : documentTokens(v);
        return { ...v, source: {} };
      }
      return v;
    });
    out.push({ section, index, block, value, content: `${section}:${role}:${JSON.stringify(value)}`, chars: role.length + json.length, media });
  };
  const tools = (body["toolConfig"] as Json | undefined)?.["tools"];
  if (Array.isArray(tools)) tools.forEach((tool, k) => add("tools", k, tool, 0));
  if (Array.isArray(body["system"])) body["system"].forEach((block, k) => add("system", k, block, 0));
  if (Array.isArray(body["messages"])) {
    (body["messages"] as Json[]).forEach((m, i) => {
      const content = Array.isArray(m["content"]) ? (m["content"] as unknown[]) : [];
      content.forEach((block, j) => add("messages", i, block, j, j === 0 ? String(m["role"]) : ""));
    });
  }
  return out;
}

/**
 * Prompt caching checkpoints (reference bedrock-prompt-caching.md sections 1 and 7): the Smithy enums, a model
 * that caches, at most 4 per request, none in tools where the model takes none, none first in a message or right
 * after a reasoning block or a non-PDF document, the 1-hour TTL where the model refuses it, and 1-hour entries
 * before 5-minute ones.
 */
const CACHE_TTLS = ["5m", "1h"];
const MAX_CACHE_POINTS = 4;
function checkCachePoints(body: Json, model: EmulatedModel): void {
  const blocks = promptBlocks(body);
  const points = blocks.filter((b) => b.cachePoint);
  for (const b of points) {
    const path = `${smithyPath(b)}.cachePoint`;
    const point = b.cachePoint!;
    if (point["type"] !== "default") {
      throw point["type"] === undefined
        ? constraint("null", `${path}.type`, "Member must not be null")
        : constraint(`'${String(point["type"])}'`, `${path}.type`, "Member must satisfy enum value set: [default]");
    }
    if (point["ttl"] !== undefined && !CACHE_TTLS.includes(point["ttl"] as string)) {
      throw constraint(`'${String(point["ttl"])}'`, `${path}.ttl`, `Member must satisfy enum value set: [${CACHE_TTLS.join(", ")}]`);
    }
  }
  if (points.length === 0) return;
  const caching = model.caching;
  // Reported with 403 (cline #2064 saw 400).
  if (!caching) throw new BedrockFault("AccessDeniedException", 403, "You invoked an unsupported model or your request did not allow prompt caching. See the documentation for more information.");
  // Reported for Claude; the text and type for Nova are an open question (section 8), taken as the same.
  if (points.length > MAX_CACHE_POINTS) throw modelSaid(`A maximum of ${MAX_CACHE_POINTS} blocks with cache_control may be provided. Found ${points.length}.`);
  const tool = points.find((b) => b.section === "tools");
  if (tool && !caching.tools) {
    throw modelSaid(`Malformed input request: #/toolConfig/tools/${tool.index}: extraneous key [cachePoint] is not permitted, please reformat your input and try again.`);
  }
  for (const b of points) {
    if (b.section !== "messages") continue;
    const before = blocks[blocks.indexOf(b) - 1];
    if (b.block === 0) throw validation("There is nothing available to cache. Please remove the invalid cache point and try again.");
    if (before?.value["reasoningContent"]) throw validation("Cache point cannot be inserted after reasoning block. Please remove the invalid cache point and try again.");
    // strands-agents #1966 (cited in section 5): Claude's text, with the index of the cache point; unverified for Nova.
    if (isObject(before?.value["document"]) && before.value["document"]["format"] !== "pdf") throw modelSaid(`messages.${b.index}.content.${b.block}.type: Field required`);
  }
  const oneHour = points.filter((b) => b.cachePoint!["ttl"] === "1h");
  if (oneHour.length && caching.oneHour === "refused") throw validation("Extended TTL prompt caching is only supported for Anthropic models");
  // Where the 1-hour TTL is downgraded every entry is a 5-minute one, so the order cannot be wrong.
  if (caching.oneHour !== "supported") return;
  const firstShort = points.findIndex((b) => b.cachePoint!["ttl"] !== "1h");
  const late = points.find((b, n) => firstShort >= 0 && n > firstShort && b.cachePoint!["ttl"] === "1h");
  if (late) {
    throw modelSaid(
      `${anthropicPath(blocks, late)}.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: \`tools\`, \`system\`, \`messages\`.`,
    );
  }
}

/** A block's 1-based Smithy path (`messages.2.member.content.3.member`). */
function smithyPath(b: PromptBlock): string {
  if (b.section === "tools") return `toolConfig.tools.${b.index + 1}.member`;
  if (b.section === "system") return `system.${b.index + 1}.member`;
  return `messages.${b.index + 1}.member.content.${b.block + 1}.member`;
}

/**
 * Where a checkpoint lands in the provider's request: Bedrock sets `cache_control` on the block before it, counted
 * without cachePoint blocks (an inference from the recorded text's `messages.<i>.content.<j>`).
 */
function anthropicPath(blocks: PromptBlock[], point: PromptBlock): string {
  const inPlace = (b: PromptBlock) => b.section === point.section && (b.section !== "messages" || b.index === point.index);
  const at = Math.max(0, blocks.slice(0, blocks.indexOf(point)).filter((b) => inPlace(b) && !b.cachePoint).length - 1);
  return point.section === "messages" ? `messages.${point.index}.content.${at}` : `${point.section}.${at}`;
}

const MAX_IMAGE_TOKENS = 1600;
function imageTokens(image: Json): number {
  const bytes = ((image["source"] ?? {}) as Json)["bytes"];
  if (typeof bytes !== "string") return MAX_IMAGE_TOKENS;
  const size = imageDimensions(Buffer.from(bytes.slice(0, 1 << 20), "base64"));
  return size ? Math.min(MAX_IMAGE_TOKENS, Math.ceil((size.width * size.height) / 750)) : MAX_IMAGE_TOKENS;
}

function documentTokens(doc: Json): number {
  const bytes = ((doc["source"] ?? {}) as Json)["bytes"];
  if (typeof bytes !== "string") return 1000;
  const length = Buffer.byteLength(bytes, "base64");
  return Math.ceil(["txt", "md", "csv", "html"].includes(String(doc["format"])) ? length / 4 : length / 64);
}

export { BedrockFault };
