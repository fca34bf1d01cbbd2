import { describe, expect, it } from "vitest";
import { countUnionParameters, toBedrockSchema } from "./schema.js";

const ok = (input: unknown) => {
  const result = toBedrockSchema(input);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.schema;
};

describe("toBedrockSchema: the root", () => {
  it("passes a plain object schema through unchanged", () => {
    const schema = { type: "object", properties: { a: { type: "number" }, b: { type: "number", description: "second" } }, required: ["a", "b"], additionalProperties: false };
    const result = toBedrockSchema(schema);
    expect(result).toEqual({ ok: true, schema, changes: [] });
  });

  it("an empty or missing schema is an object without properties", () => {
    expect(ok(undefined)).toEqual({ type: "object", properties: {} });
    expect(ok({})).toEqual({ type: "object", properties: {} });
    expect(ok(true)).toEqual({ type: "object", properties: {} });
    expect(ok({ properties: { q: { type: "string" } } })).toEqual({ type: "object", properties: { q: { type: "string" } } });
  });

  it("keeps only type, properties, required and additionalProperties at the root", () => {
    const result = toBedrockSchema({ $schema: "http://json-schema.org/draft-07/schema#", $id: "urn:x", title: "T", description: "D", type: "object", properties: {}, examples: [{}] });
    expect(result).toMatchObject({ ok: true, schema: { type: "object", properties: {} } });
    if (result.ok) expect(result.changes.join(" ")).toMatch(/root keywords .* were dropped \(description, examples, title\)/);
  });

  it("a root that is not an object cannot be offered, with the reason", () => {
    expect(toBedrockSchema({ type: "string" })).toEqual({ ok: false, reason: "its input must be a string, and Bedrock takes only an object as a tool's input" });
    expect(toBedrockSchema({ type: "array", items: {} })).toEqual({ ok: false, reason: "its input must be an array, and Bedrock takes only an object as a tool's input" });
    expect(toBedrockSchema(false)).toEqual({ ok: false, reason: "its input schema accepts no input at all (false)" });
    expect(toBedrockSchema("object")).toEqual({ ok: false, reason: "its input schema is not a JSON Schema object (found a string)" });
    expect(toBedrockSchema({ anyOf: [{ type: "string" }, { type: "object" }] })).toMatchObject({ ok: false, reason: expect.stringMatching(/root is a choice \(anyOf\) between alternatives that are not all objects/) });
  });

  it("a root type list with object becomes object", () => {
    expect(ok({ type: ["object", "null"], properties: { a: { type: "string" } } })).toEqual({ type: "object", properties: { a: { type: "string" } } });
  });

  it("merges a root allOf of objects", () => {
    const schema = ok({ allOf: [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, { properties: { b: { type: "number" } }, required: ["b"] }] });
    expect(schema).toEqual({ type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["a", "b"] });
  });

  it("a root anyOf / oneOf of objects becomes one object requiring what every branch requires", () => {
    const schema = ok({
      oneOf: [
        { type: "object", properties: { id: { type: "string" }, kind: { const: "a" } }, required: ["id", "kind"] },
        { type: "object", properties: { name: { type: "string" }, kind: { const: "b" } }, required: ["name", "kind"] },
      ],
    });
    expect(schema).toEqual({ type: "object", properties: { id: { type: "string" }, kind: { const: "a" }, name: { type: "string" } }, required: ["kind"] });
    // An object root with an anyOf of required-sets (a common way to say "one of these"): the anyOf goes.
    expect(ok({ type: "object", properties: { a: {}, b: {} }, anyOf: [{ required: ["a"] }, { required: ["b"] }] })).toEqual({ type: "object", properties: { a: {}, b: {} } });
  });
});

describe("toBedrockSchema: what Bedrock's models refuse", () => {
  it("inlines $ref to definitions / $defs and drops them (Nova refuses them, Claude refuses dangling refs)", () => {
    const schema = ok({
      type: "object",
      $defs: { Point: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"] } },
      definitions: { Name: { type: "string", minLength: 1 } },
      properties: { from: { $ref: "#/$defs/Point" }, to: { $ref: "#/$defs/Point", description: "the end" }, name: { $ref: "#/definitions/Name" }, bad: { $ref: "#/$defs/Missing" }, remote: { $ref: "https://example.com/s.json" } },
    });
    expect(schema).toEqual({
      type: "object",
      properties: {
        from: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"] },
        to: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"], description: "the end" },
        name: { type: "string", minLength: 1 },
        bad: {},
        remote: {},
      },
    });
    expect(JSON.stringify(schema)).not.toMatch(/\$ref|\$defs|definitions/);
  });

  it("stops a recursive $ref after one level", () => {
    const schema = ok({
      type: "object",
      $defs: { Node: { type: "object", description: "a tree node", properties: { value: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } } } },
      properties: { root: { $ref: "#/$defs/Node" } },
    });
    expect(schema["properties"]).toEqual({
      root: { type: "object", description: "a tree node", properties: { value: { type: "string" }, children: { type: "array", items: { type: "object", description: "a tree node" } } } },
    });
    // A root that refers to itself.
    const self = ok({ type: "object", properties: { next: { $ref: "#" } } });
    expect(self).toEqual({ type: "object", properties: { next: { type: "object", properties: { next: { type: "object" } } } } });
  });

  it("fixes what a draft 2020-12 meta-validation refuses", () => {
    const schema = ok({
      type: "object",
      properties: {
        a: { type: "object", properties: { x: { type: "string" } }, required: {} },
        b: { type: "int" },
        c: { type: "array", items: [{ type: "string" }, { type: "number" }], additionalItems: false },
        d: { type: "number", minimum: 0, exclusiveMinimum: true },
        e: { type: "string", maxLength: -1, minLength: 1.5, pattern: 3 },
        f: "string",
        g: { anyOf: [] },
        h: { type: "object", properties: null },
        i: { type: "object", required: ["x", "x", 3] },
        j: { type: "object", dependencies: { a: ["b"], c: { required: ["d"] } } },
      },
      required: { city: true },
    });
    expect(schema).toEqual({
      type: "object",
      properties: {
        a: { type: "object", properties: { x: { type: "string" } } },
        b: {},
        c: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false },
        d: { type: "number", exclusiveMinimum: 0 },
        e: { type: "string" },
        f: { type: "string" },
        g: {},
        h: { type: "object" },
        i: { type: "object", required: ["x"] },
        j: { type: "object", dependentRequired: { a: ["b"] }, dependentSchemas: { c: { required: ["d"] } } },
      },
    });
  });

  it("drops null branches, which count against Claude's 16 union-typed parameters", () => {
    const input = {
      type: "object",
      properties: {
        a: { type: ["string", "null"] },
        b: { anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }], description: "count", default: null },
        c: { oneOf: [{ type: "string" }, { type: "number" }, { type: "null" }] },
        d: { type: ["string", "null"], enum: ["x", "y", null] },
        e: { type: "null" },
      },
    };
    const schema = ok(input);
    expect(schema["properties"]).toEqual({
      a: { type: "string" },
      b: { type: "integer", minimum: 1, description: "count", default: null },
      c: { oneOf: [{ type: "string" }, { type: "number" }] },
      d: { type: "string", enum: ["x", "y"] },
      e: { type: "null" },
    });
    expect(countUnionParameters(input)).toBe(4);
    expect(countUnionParameters(schema)).toBe(1);
  });

  it("keeps keywords it does not know about and nested $schema-free annotations", () => {
    expect(ok({ type: "object", properties: { when: { type: "string", format: "date-time", default: "now", examples: ["2025-01-01T00:00:00Z"], "x-vendor": 1 } } })["properties"]).toEqual({
      when: { type: "string", format: "date-time", default: "now", examples: ["2025-01-01T00:00:00Z"], "x-vendor": 1 },
    });
  });

  it("a schema too large to offer is unavailable, not thrown", () => {
    const props = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field_${i}`, { type: "string", description: "a field with a fairly long description" }]));
    expect(toBedrockSchema({ type: "object", properties: props })).toMatchObject({ ok: false, reason: expect.stringMatching(/characters long; the most offered is 100,000/) });
    // Inlining that would explode: each level refers to the next twice.
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) defs[`L${i}`] = { type: "object", properties: { l: { $ref: `#/$defs/L${i + 1}` }, r: { $ref: `#/$defs/L${i + 1}` } } };
    defs["L30"] = { type: "string" };
    expect(toBedrockSchema({ type: "object", $defs: defs, properties: { top: { $ref: "#/$defs/L0" } } })).toMatchObject({ ok: false, reason: expect.stringMatching(/too large once its \$refs are inlined/) });
  });

  it("is deterministic: the same input gives the same bytes", () => {
    const input = { type: "object", $defs: { A: { type: "string" } }, properties: { z: { $ref: "#/$defs/A" }, a: { type: ["number", "null"] } } };
    expect(JSON.stringify(ok(input))).toBe(JSON.stringify(ok(structuredClone(input))));
    expect(Object.keys(ok(input)["properties"] as object)).toEqual(["z", "a"]);
  });
});
