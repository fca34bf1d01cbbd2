/**
 * An MCP tool's input JSON Schema → what Bedrock takes as `toolSpec.inputSchema.json` (reference/bedrock-api.md
 * 1.3, 1.4 and 10.1), without changing what a valid input is more than needed:
 *
 * - the root must be `type: "object"` (a root without a type but with `properties` gets it; a root `allOf` of objects
 *   is merged, a root `anyOf`/`oneOf` of objects becomes one object whose required keys are those all branches
 *   require); a root of another type cannot be offered;
 * - Nova refuses `$defs`/`definitions` and Claude a `$ref` to a missing definition: local `$ref`s are inlined (a
 *   recursive one stops at one level, as an unconstrained value) and the definitions dropped;
 * - Bedrock meta-validates the schema (`properties` must be an object) and Claude wants valid draft 2020-12:
 *   `required` must be an array of strings (MCP servers send `{}`), `type` one of the seven types, composition
 *   keywords non-empty arrays, the draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum` and the draft-07 array
 *   form of `items` are rewritten, and keywords with a value of the wrong kind are dropped;
 * - Claude allows at most 16 parameters with union types across all tools: `null` branches (`type: ["string",
 *   "null"]`, `anyOf: [{…}, {type: "null"}]`) are dropped, as langchain-aws does;
 * - at the root only `type`, `properties`, `required` and `additionalProperties` are kept (the Nova documentation's
 *   root keys; `additionalProperties` is known to pass), so `$schema`, `$id`, `title` and friends go.
 *
 * A schema that cannot be made acceptable gives `{ ok: false, reason }`, never a throw.
 */

type Json = Record<string, unknown>;

export type SchemaResult = { ok: true; schema: Json; changes: string[] } | { ok: false; reason: string };

export interface SchemaOptions {
  /** Largest schema (its JSON, after inlining) to offer; larger ones are unavailable. Default 100,000 characters. */
  maxChars?: number;
}

export const DEFAULT_MAX_SCHEMA_CHARS = 100_000;
const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const ROOT_KEYS = new Set(["type", "properties", "required", "additionalProperties"]);
/** Keywords that hold one subschema. */
const ONE_SCHEMA = ["additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
/** Keywords that hold a non-empty array of subschemas. */
const SCHEMA_ARRAYS = ["anyOf", "oneOf", "allOf", "prefixItems"];
/** Keywords that hold a map of subschemas. */
const SCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas"];
/** Keywords whose value must be a non-negative integer. */
const COUNTS = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"];
/** Keywords whose value must be a number. */
const NUMBERS = ["minimum", "maximum"];
/** Keywords whose value must be a string. */
const STRINGS = ["title", "description", "pattern", "format", "contentEncoding", "contentMediaType", "$comment"];
/** Dropped anywhere: identifiers and dynamic references mean nothing once refs are inlined. */
const DROPPED = new Set(["$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$vocabulary", "$defs", "definitions"]);
/** How many `$ref`s deep inlining goes before a reference stands as an unconstrained value. */
const MAX_REF_DEPTH = 12;

export function toBedrockSchema(input: unknown, options: SchemaOptions = {}): SchemaResult {
  const changes = new Set<string>();
  const note = (change: string) => changes.add(change);
  const maxChars = options.maxChars ?? DEFAULT_MAX_SCHEMA_CHARS;

  if (input === undefined || input === null || input === true) {
    if (input !== undefined) note("an empty input schema became an object without properties");
    return { ok: true, schema: { type: "object", properties: {} }, changes: [...changes] };
  }
  if (input === false) return { ok: false, reason: "its input schema accepts no input at all (false)" };
  if (typeof input !== "object" || Array.isArray(input)) return { ok: false, reason: `its input schema is not a JSON Schema object (found ${kind(input)})` };

  const root = input as Json;
  let walked: Json;
  try {
    const walker = new Walker(root, note);
    walked = walker.schema(root, []) as Json;
    if (typeof walked !== "object") walked = {};
  } catch (error) {
    if (error instanceof SchemaTooLarge) return { ok: false, reason: `its input schema is too large once its $refs are inlined (over ${maxChars.toLocaleString("en-US")} characters)` };
    throw error;
  }

  const object = rootObject(walked, note);
  if (!object.ok) return object;
  const schema = object.schema;
  const size = JSON.stringify(schema).length;
  if (size > maxChars) {
    return { ok: false, reason: `its input schema is ${size.toLocaleString("en-US")} characters long; the most offered is ${maxChars.toLocaleString("en-US")}` };
  }
  return { ok: true, schema, changes: [...changes] };
}

/** Parameters with union types (type arrays, `anyOf`, `oneOf`) in a converted schema: Claude allows 16 over all tools. */
export function countUnionParameters(schema: unknown): number {
  if (!schema || typeof schema !== "object") return 0;
  if (Array.isArray(schema)) return schema.reduce((n: number, s) => n + countUnionParameters(s), 0);
  const s = schema as Json;
  let n = Array.isArray(s["type"]) || Array.isArray(s["anyOf"]) || Array.isArray(s["oneOf"]) ? 1 : 0;
  for (const [k, v] of Object.entries(s)) if (k !== "enum" && k !== "const" && k !== "default" && k !== "examples") n += countUnionParameters(v);
  return n;
}

class SchemaTooLarge extends Error {}

class Walker {
  private budget = 20_000;
  constructor(
    private readonly root: Json,
    private readonly note: (change: string) => void,
  ) {}

  /** One subschema, cleaned; `refs` is the chain of `$ref`s being inlined (to stop recursion). */
  schema(value: unknown, refs: readonly string[]): Json | boolean {
    if (--this.budget < 0) throw new SchemaTooLarge();
    if (typeof value === "boolean") return value;
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      this.note("a subschema that was not an object became unconstrained");
      return {};
    }
    let s = value as Json;
    if (typeof s["$ref"] === "string") s = this.inline(s, refs);
    else if ("$ref" in s) {
      const { $ref: _dropped, ...rest } = s;
      s = rest;
    }
    if ("$dynamicRef" in s || "$recursiveRef" in s) {
      const { $dynamicRef: _d, $recursiveRef: _r, ...rest } = s;
      s = rest;
      this.note("dynamic references ($dynamicRef, $recursiveRef) were dropped");
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(s)) {
      if (DROPPED.has(k)) {
        if (k === "$defs" || k === "definitions") this.note(`${k} were inlined and dropped`);
        continue;
      }
      if (k === "type") {
        const type = this.type(v);
        if (type !== undefined) out["type"] = type;
      } else if (k === "required") {
        if (Array.isArray(v)) {
          const names = [...new Set(v.filter((n): n is string => typeof n === "string"))];
          if (names.length !== v.length) this.note("required was made a list of distinct strings");
          out["required"] = names;
        } else this.note("a required that was not an array was dropped");
      } else if (k === "items") {
        if (Array.isArray(v)) {
          out["prefixItems"] = v.map((item) => this.schema(item, refs));
          this.note("the array form of items became prefixItems (draft 2020-12)");
        } else out["items"] = this.schema(v, refs);
      } else if (k === "additionalItems") {
        if (Array.isArray(s["items"])) out["items"] = this.schema(v, refs);
        else this.note("additionalItems without an items array was dropped");
      } else if (k === "exclusiveMinimum" || k === "exclusiveMaximum") {
        const bound = k === "exclusiveMinimum" ? "minimum" : "maximum";
        if (typeof v === "number") out[k] = v;
        else if (v === true && typeof s[bound] === "number") {
          out[k] = s[bound];
          this.note(`the draft-04 boolean ${k} became a number`);
        } else if (v !== false) this.note(`an invalid ${k} was dropped`);
      } else if (NUMBERS.includes(k)) {
        if (typeof v !== "number") this.note(`an invalid ${k} was dropped`);
        else if (!(s[k === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true)) out[k] = v;
      } else if (k === "multipleOf") {
        if (typeof v === "number" && v > 0) out[k] = v;
        else this.note("an invalid multipleOf was dropped");
      } else if (COUNTS.includes(k)) {
        if (Number.isInteger(v) && (v as number) >= 0) out[k] = v;
        else this.note(`an invalid ${k} was dropped`);
      } else if (STRINGS.includes(k)) {
        if (typeof v === "string") out[k] = v;
        else this.note(`a ${k} that was not a string was dropped`);
      } else if (k === "enum") {
        if (Array.isArray(v)) out[k] = v;
        else this.note("an enum that was not an array was dropped");
      } else if (k === "uniqueItems" || k === "readOnly" || k === "writeOnly" || k === "deprecated") {
        if (typeof v === "boolean") out[k] = v;
      } else if (k === "dependentRequired") {
        if (v && typeof v === "object" && !Array.isArray(v)) out[k] = v;
      } else if (k === "dependencies") {
        // Draft 7: arrays are dependentRequired, schemas dependentSchemas.
        if (v && typeof v === "object" && !Array.isArray(v)) {
          for (const [name, dep] of Object.entries(v as Json)) {
            const target = Array.isArray(dep) ? "dependentRequired" : "dependentSchemas";
            const into = (out[target] ?? {}) as Json;
            into[name] = Array.isArray(dep) ? dep.filter((d) => typeof d === "string") : this.schema(dep, refs);
            out[target] = into;
          }
          this.note("dependencies became dependentRequired / dependentSchemas (draft 2020-12)");
        }
      } else if (ONE_SCHEMA.includes(k)) {
        out[k] = this.schema(v, refs);
      } else if (SCHEMA_ARRAYS.includes(k)) {
        if (Array.isArray(v) && v.length > 0) out[k] = v.map((item) => this.schema(item, refs));
        else this.note(`an empty or invalid ${k} was dropped`);
      } else if (SCHEMA_MAPS.includes(k)) {
        if (v && typeof v === "object" && !Array.isArray(v)) {
          const map: Json = {};
          for (const [name, sub] of Object.entries(v as Json)) {
            if (k === "properties" && typeof sub === "string" && TYPES.has(sub)) {
              map[name] = { type: sub };
              this.note("a property given as a bare type name became a schema");
            } else map[name] = this.schema(sub, refs);
          }
          out[k] = map;
        } else this.note(`a ${k} that was not an object was dropped`);
      } else {
        // Other keywords (const, default, examples, contentSchema, annotations of the server's own) are kept.
        out[k] = v;
      }
    }
    // A null dropped from the type list cannot stay a value of the enum (and the enum would no longer match it).
    if (Array.isArray(s["type"]) && (s["type"] as unknown[]).includes("null") && out["type"] !== "null" && Array.isArray(out["enum"]) && (out["enum"] as unknown[]).includes(null)) {
      out["enum"] = (out["enum"] as unknown[]).filter((v) => v !== null);
    }
    return withoutNullBranches(out, this.note);
  }

  private type(value: unknown): string | string[] | undefined {
    if (typeof value === "string") {
      if (TYPES.has(value)) return value;
      this.note(`an unknown type "${value}" was dropped`);
      return undefined;
    }
    if (Array.isArray(value)) {
      const types = [...new Set(value.filter((t): t is string => typeof t === "string" && TYPES.has(t)))];
      if (types.length !== value.length) this.note("unknown entries of a type list were dropped");
      const nonNull = types.filter((t) => t !== "null");
      if (nonNull.length < types.length && nonNull.length > 0) this.note('"null" was dropped from type lists');
      const kept = nonNull.length > 0 ? nonNull : types;
      if (kept.length === 0) return undefined;
      return kept.length === 1 ? kept[0] : kept;
    }
    this.note("a type that was not a string or a list was dropped");
    return undefined;
  }

  /** `s` with its `$ref` replaced by what it points to (siblings of `$ref` win over the target's keywords). */
  private inline(s: Json, refs: readonly string[]): Json {
    const { $ref, ...siblings } = s as Json & { $ref: string };
    const target = $ref.startsWith("#") ? pointer(this.root, $ref.slice(1)) : undefined;
    if (target === undefined) {
      this.note(`an unresolvable $ref (${$ref}) became unconstrained`);
      return siblings;
    }
    if (refs.includes($ref) || refs.length >= MAX_REF_DEPTH) {
      this.note("a recursive $ref stops at one level (an unconstrained value there)");
      const type = typeof target === "object" && target && (target as Json)["type"];
      const description = typeof target === "object" && target && (target as Json)["description"];
      return { ...(typeof type === "string" ? { type } : {}), ...(typeof description === "string" ? { description } : {}), ...siblings };
    }
    this.note("$refs were inlined");
    const resolved = this.schema(target, [...refs, $ref]);
    if (typeof resolved === "boolean") return resolved ? siblings : { not: {}, ...siblings };
    return { ...resolved, ...siblings };
  }
}

/** `type: [T, "null"]` is handled in Walker.type; here `anyOf`/`oneOf` with `{type: "null"}` branches. */
function withoutNullBranches(s: Json, note: (change: string) => void): Json {
  for (const k of ["anyOf", "oneOf"]) {
    const branches = s[k];
    if (!Array.isArray(branches)) continue;
    const kept = branches.filter((b) => !isNullSchema(b));
    if (kept.length === branches.length || kept.length === 0) continue;
    note(`null branches of ${k} were dropped`);
    const { [k]: _dropped, ...rest } = s;
    if (kept.length > 1) return { ...rest, [k]: kept };
    const only = kept[0];
    if (typeof only !== "object" || only === null) return rest;
    // The one branch left takes the place of the union; the union's own keywords (description, default) win.
    return { ...(only as Json), ...rest };
  }
  return s;
}

function isNullSchema(b: unknown): boolean {
  return !!b && typeof b === "object" && (b as Json)["type"] === "null" && Object.keys(b as Json).every((k) => k === "type" || k === "description" || k === "title");
}

/** The converted root as an object schema with only the root keys Bedrock's models are known to take. */
function rootObject(walked: Json, note: (change: string) => void): SchemaResult {
  let root = walked;
  const type = root["type"];
  const isObject = type === "object" || (Array.isArray(type) && type.includes("object"));
  if (type !== undefined && !isObject) {
    const types = Array.isArray(type) ? type.join(" or ") : String(type);
    return { ok: false, reason: `its input must be ${article(types)} ${types}, and Bedrock takes only an object as a tool's input` };
  }
  if (Array.isArray(type)) note("the root type became object");

  // A root made of alternatives: merge object branches into one object.
  const allOf = root["allOf"];
  if (Array.isArray(allOf)) {
    const branches = allOf.filter((b): b is Json => typeof b === "object" && b !== null);
    if (branches.some((b) => b["type"] !== undefined && b["type"] !== "object")) return { ok: false, reason: "its input schema's root allOf has a branch that is not an object" };
    root = mergeAll([root, ...branches]);
    note("the root allOf was merged into one object");
  }
  for (const k of ["anyOf", "oneOf"] as const) {
    const union = root[k];
    if (!Array.isArray(union)) continue;
    const branches = union.filter((b): b is Json => typeof b === "object" && b !== null);
    const objectBranches = branches.filter((b) => b["type"] === "object" || (b["type"] === undefined && (b["properties"] !== undefined || b["required"] !== undefined)));
    if (objectBranches.length !== union.length) {
      if (type === undefined && root["properties"] === undefined) return { ok: false, reason: `its input schema's root is a choice (${k}) between alternatives that are not all objects; Bedrock takes only an object as a tool's input` };
      note(`the root ${k} was dropped`);
      continue;
    }
    root = mergeAny(root, objectBranches);
    note(`the root ${k} became one object (required: what every alternative requires)`);
  }

  const properties = root["properties"];
  const out: Json = { type: "object", properties: properties && typeof properties === "object" && !Array.isArray(properties) ? properties : {} };
  if (type === undefined) note("the root got type object");
  if (Array.isArray(root["required"]) && (root["required"] as unknown[]).length > 0) out["required"] = root["required"];
  if (root["additionalProperties"] !== undefined) out["additionalProperties"] = root["additionalProperties"];
  const dropped = Object.keys(root).filter((k) => !ROOT_KEYS.has(k) && k !== "anyOf" && k !== "oneOf" && k !== "allOf");
  if (dropped.length) note(`root keywords other than type, properties, required and additionalProperties were dropped (${dropped.sort().join(", ")})`);
  return { ok: true, schema: out, changes: [] };
}

/** allOf: every branch's properties and required keys. */
function mergeAll(branches: Json[]): Json {
  const properties: Json = {};
  const required = new Set<string>();
  let additional: unknown;
  for (const b of branches) {
    Object.assign(properties, objectOr(b["properties"]));
    for (const r of arrayOr(b["required"])) required.add(r);
    if (b["additionalProperties"] === false) additional = false;
  }
  const { allOf: _a, ...rest } = branches[0]!;
  return { ...rest, type: "object", properties, ...(required.size ? { required: [...required] } : {}), ...(additional === false ? { additionalProperties: false } : {}) };
}

/** anyOf / oneOf of objects: all properties (the first branch's schema for a name wins), required by all branches. */
function mergeAny(root: Json, branches: Json[]): Json {
  const properties: Json = { ...objectOr(root["properties"]) };
  for (const b of branches) for (const [name, sub] of Object.entries(objectOr(b["properties"]))) if (!(name in properties)) properties[name] = sub;
  const own = arrayOr(root["required"]);
  const common = branches.map((b) => new Set(arrayOr(b["required"]))).reduce<Set<string> | undefined>((acc, set) => (acc ? new Set([...acc].filter((r) => set.has(r))) : set), undefined) ?? new Set<string>();
  const required = [...new Set([...own, ...common])];
  const { anyOf: _a, oneOf: _o, ...rest } = root;
  return { ...rest, type: "object", properties, ...(required.length ? { required } : {}) };
}

const objectOr = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const arrayOr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A JSON pointer (RFC 6901, the part after `#`) into the document. */
function pointer(root: unknown, path: string): unknown {
  if (path === "") return root;
  if (!path.startsWith("/")) return undefined;
  let at: unknown = root;
  for (const raw of path.slice(1).split("/")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!at || typeof at !== "object") return undefined;
    at = (at as Json)[token];
    if (at === undefined) return undefined;
  }
  return at;
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? "a string" : typeof value === "number" ? "a number" : typeof value;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}
