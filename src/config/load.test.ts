import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { BUNDLED_CONFIG_PATH, findConfigFile, loadConfig, parseConfigText } from "./load.js";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures");
const parse = (value: unknown) => parseConfigText(typeof value === "string" ? value : JSON.stringify(value), "config.json");
const minimal = (model: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  bedrock_models: { M: { id: "amazon.nova-pro-v1:0", ...model } },
  ...top,
});
const errorOf = (value: unknown): string => {
  try {
    parse(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
};

describe("config.json examples from the seed README", () => {
  it("parses the full example with its six models and their flags", () => {
    const { config, warnings } = loadConfig(join(fixtures, "seed-readme-example.json"));
    expect(warnings).toEqual([]);
    expect(config.profiles.map((p) => p.name)).toEqual([
      "Claude 3.7 Sonnet",
      "Claude Sonnet 4.5 (Global)",
      "DeepSeek V3",
      "Claude Sonnet 3.5 New",
      "Meta Llama 3.2 90B Vision Instruct",
      "Mistral Large 2",
    ]);
    expect(config.defaultProfile.name).toBe("Claude 3.7 Sonnet");
    expect(config.maxCharacters).toBeNull();
    expect(config.maxContentSizeMb).toBeNull();
    const deepseek = config.profiles[2]!;
    expect(deepseek.reasoning.style).toBe("openai");
    expect(deepseek.tool).toBe(false);
    expect(deepseek.price).toEqual({ input: "0.0008", output: "0.0032" });
  });

  it("parses every model snippet of the README (reasoning examples and the inference-profile example)", () => {
    const { config, warnings } = loadConfig(join(fixtures, "seed-readme-snippets.json"));
    const styles = Object.fromEntries(config.profiles.map((p) => [p.name, p.reasoning.style]));
    expect(styles).toEqual({
      "Claude 3.5 Haiku": "none",
      "DeepSeek R1": "anthropic", // the README's "Simple Anthropic-Style" example: reasoning: true
      "DeepSeek R1 (2)": "always-on",
      "Claude 3.7 Sonnet": "anthropic",
      "Claude 3.7 Sonnet (2)": "anthropic",
      "DeepSeek V3": "openai",
      "DeepSeek V3 (2)": "openai",
      "Inference profile snippet": "none",
    });
    expect(config.profiles.find((p) => p.name === "Inference profile snippet")!.modelId).toBe("global.anthropic.claude-sonnet-4-5-20250929-v1:0");
    // No cost in the snippets: each warns that its cost is unknown, nothing else.
    expect(warnings.every((w) => w.includes('has no "cost"'))).toBe(true);
  });

  it("parses the bundled example with every model family of the seed README", () => {
    const { config, warnings } = loadConfig(BUNDLED_CONFIG_PATH);
    expect(warnings).toEqual([]);
    const ids = config.profiles.map((p) => p.modelId).join(" ");
    for (const family of ["claude", "llama", "mistral", "pixtral", "nova", "deepseek.v3", "deepseek.r1", "qwen", "palmyra", "gpt-oss"]) {
      expect(ids).toContain(family);
    }
  });
});

describe("config.json fields", () => {
  it.each([
    ["None", null],
    ["100000", 100000],
    [5000, 5000],
    [0, null],
    ["0", null],
    ["", null],
  ])("max_characters_parameter %j means %j", (value, expected) => {
    expect(parse(minimal({}, { max_characters_parameter: value })).config.maxCharacters).toBe(expected);
  });

  it("accepts a fractional max_content_size_mb_parameter but not a fractional character limit", () => {
    expect(parse(minimal({}, { max_content_size_mb_parameter: "2.5" })).config.maxContentSizeMb).toBe(2.5);
    expect(errorOf(minimal({}, { max_characters_parameter: "12.5" }))).toMatch(/max_characters_parameter: expected a whole number/);
  });

  it("keeps prices as the decimal text written (exact), also in exponent form", () => {
    const { config } = parse(minimal({ cost: { input_1k_price: 3.5e-5, output_1k_price: "0.00014" } }));
    expect(config.profiles[0]!.price).toEqual({ input: "0.000035", output: "0.00014" });
  });

  it("requires only id: region, cost and flags are optional with the original defaults", () => {
    const { config, warnings } = parse(minimal());
    const profile = config.profiles[0]!;
    expect(profile).toMatchObject({ streaming: true, vision: false, document: false, tool: false, maxTokens: 4096, price: null, isDefault: true });
    expect(profile.region).toBe("us-west-2");
    expect(warnings).toEqual(['config.json: bedrock_models["M"] has no "cost": its cost will show as unknown']);
  });

  it("warns about unknown keys, naming their paths, and still loads", () => {
    const { warnings } = parse({
      ...minimal({ visoin: true, cost: { input_1k_price: 1, output_1k_price: 1, currency: "USD" } }),
      extra: 1,
    });
    expect(warnings).toEqual([
      "config.json: ignoring unknown key extra (check its spelling against the README's config.json reference)",
      'config.json: ignoring unknown key bedrock_models["M"].visoin (check its spelling against the README\'s config.json reference)',
      'config.json: ignoring unknown key bedrock_models["M"].cost.currency (check its spelling against the README\'s config.json reference)',
    ]);
  });

  it("keeps the first of two default models, with a warning", () => {
    const { config, warnings } = parse({
      bedrock_models: { A: { id: "a.b-c", default: true, cost: { input_1k_price: 1, output_1k_price: 1 } }, B: { id: "a.b-d", default: true, cost: { input_1k_price: 1, output_1k_price: 1 } } },
    });
    expect(config.defaultProfile.name).toBe("A");
    expect(config.profiles[1]!.isDefault).toBe(false);
    expect(warnings).toEqual(['config.json: 2 models are marked "default": true ("A", "B"); using the first, "A"']);
  });

  it("uses the first profile when none is marked default", () => {
    const { config } = parse({ bedrock_models: { A: { id: "a.b-c" }, B: { id: "a.b-d" } } });
    expect(config.defaultProfile.name).toBe("A");
  });
});

describe("config.json errors: one message naming the file, the JSON path, what was expected and what was found", () => {
  it("a wrong type deep in a model", () => {
    expect(errorOf(minimal({ cost: { input_1k_price: "abc", output_1k_price: 1 } }))).toBe(
      'config.json: bedrock_models["M"].cost.input_1k_price: expected a price in USD per 1,000 tokens (a number such as 0.003), found string "abc"',
    );
    expect(errorOf({ bedrock_models: { "Claude 3.7 Sonnet": { id: "x", maxTokens: "lots" } } })).toBe(
      'config.json: bedrock_models["Claude 3.7 Sonnet"].maxTokens: expected number, found string "lots"',
    );
  });

  it("a missing required key", () => {
    expect(errorOf({ bedrock_models: { M: { region: ["us-east-1"] } } })).toBe('config.json: bedrock_models["M"].id: expected string, found nothing (the key is missing)');
  });

  it("no models", () => {
    expect(errorOf({ bedrock_models: {} })).toMatch(/^config\.json: bedrock_models: expected at least one model/);
    expect(errorOf({})).toBe("config.json: bedrock_models: expected record, found nothing (the key is missing)");
  });

  it("an inference_profile without prefix", () => {
    expect(errorOf(minimal({ inference_profile: { region: "us-west-2" } }))).toBe(
      'config.json: bedrock_models["M"].inference_profile.prefix: expected string, found nothing (the key is missing)',
    );
    expect(errorOf(minimal({ inference_profile: { prefix: " " } }))).toMatch(/inference_profile\.prefix: expected a region prefix such as "us"/);
  });

  it("invalid JSON reports line and column", () => {
    expect(errorOf('{\n  "bedrock_models": {\n    "M": {"id": "x",}\n  }\n}')).toMatch(/^config\.json: invalid JSON at line 3, column 21: /);
    expect(errorOf('{"bedrock_models": ')).toMatch(/^config\.json: invalid JSON at line 1, column 20: /);
  });

  it("a bad value in reasoning", () => {
    expect(errorOf(minimal({ reasoning: "yes" }))).toMatch(/^config\.json: bedrock_models\["M"\]\.reasoning: .*found string "yes"$/);
  });
});

describe("config.json prompt caching (our extension)", () => {
  const priced = { input_1k_price: 0.003, output_1k_price: 0.015 };
  const cachePrices = { cache_read_1k_price: 0.0003, cache_write_1k_price: "0.00375", cache_write_1h_1k_price: 0.006 };

  it("absent or false: no caching, and the seed files load as before (no new warning)", () => {
    expect(parse(minimal({ cost: priced })).config.profiles[0]!.caching).toBeNull();
    expect(parse(minimal({ cost: priced, prompt_caching: false })).config.profiles[0]!.caching).toBeNull();
    expect(loadConfig(join(fixtures, "seed-readme-example.json")).config.profiles.every((p) => p.caching === null)).toBe(true);
  });

  it("true is 5-minute checkpoints, tools included; an object sets the TTL and the tools rule", () => {
    expect(parse(minimal({ cost: { ...priced, ...cachePrices }, prompt_caching: true })).config.profiles[0]!.caching).toEqual({ ttl: "5m", tools: true });
    expect(parse(minimal({ cost: { ...priced, ...cachePrices }, prompt_caching: { ttl: "1h" } })).config.profiles[0]!.caching).toEqual({ ttl: "1h", tools: true });
    expect(parse(minimal({ cost: { ...priced, ...cachePrices }, prompt_caching: { tools: false } })).config.profiles[0]!.caching).toEqual({ ttl: "5m", tools: false });
  });

  it("keeps the cache prices as the decimal text written", () => {
    const { config, warnings } = parse(minimal({ cost: { ...priced, ...cachePrices, cache_read_1k_price: 8.75e-6 }, prompt_caching: { ttl: "1h" } }));
    expect(config.profiles[0]!.price).toEqual({ input: "0.003", output: "0.015", cacheRead: "0.00000875", cacheWrite: "0.00375", cacheWrite1h: "0.006" });
    expect(warnings).toEqual([]);
  });

  it("warns, naming the keys, when a caching profile has a price but no cache prices (those tokens are billed at the input price)", () => {
    const { warnings } = parse(minimal({ cost: priced, prompt_caching: true }));
    expect(warnings).toEqual([
      'config.json: bedrock_models["M"] caches prompts but its "cost" has no cache_read_1k_price, cache_write_1k_price: cache tokens without a price of their own are billed at the input price (1-hour writes at cache_write_1k_price when it is set)',
    ]);
    // The 1-hour price counts only for a 1-hour profile.
    const { cache_write_1h_1k_price: _none, ...fiveMinute } = cachePrices;
    expect(parse(minimal({ cost: { ...priced, ...fiveMinute }, prompt_caching: true })).warnings).toEqual([]);
    expect(parse(minimal({ cost: { ...priced, ...fiveMinute }, prompt_caching: { ttl: "1h" } })).warnings).toEqual([
      'config.json: bedrock_models["M"] caches prompts but its "cost" has no cache_write_1h_1k_price: cache tokens without a price of their own are billed at the input price (1-hour writes at cache_write_1k_price when it is set)',
    ]);
  });

  it("knows the new keys (no unknown-key warning), and still warns about a misspelt one inside prompt_caching", () => {
    const { warnings } = parse(minimal({ cost: { ...priced, ...cachePrices }, prompt_caching: { ttl: "5m", tools: false, tool: true } }));
    expect(warnings).toEqual(['config.json: ignoring unknown key bedrock_models["M"].prompt_caching.tool (check its spelling against the README\'s config.json reference)']);
  });

  it("errors name the file and the JSON path", () => {
    expect(errorOf(minimal({ prompt_caching: { ttl: "10m" } }))).toBe('config.json: bedrock_models["M"].prompt_caching.ttl: expected "5m" or "1h", found string "10m"');
    expect(errorOf(minimal({ prompt_caching: { tools: "no" } }))).toBe('config.json: bedrock_models["M"].prompt_caching.tools: expected boolean, found string "no"');
    expect(errorOf(minimal({ prompt_caching: "yes" }))).toBe(
      'config.json: bedrock_models["M"].prompt_caching: expected true, false or an object such as {"ttl": "5m", "tools": false}, found string "yes"',
    );
    expect(errorOf(minimal({ cost: { ...priced, cache_write_1h_1k_price: "twice" } }))).toBe(
      'config.json: bedrock_models["M"].cost.cache_write_1h_1k_price: expected a price in USD per 1,000 tokens (a number such as 0.003), found string "twice"',
    );
  });

  it("the bundled example caches on the Claude and Nova profiles with their published cache prices, and nowhere else", () => {
    const { config } = loadConfig(BUNDLED_CONFIG_PATH);
    const caching = Object.fromEntries(config.profiles.filter((p) => p.caching).map((p) => [p.name, { caching: p.caching, price: p.price }]));
    expect(caching).toEqual({
      "Claude Sonnet 4.5": { caching: { ttl: "5m", tools: true }, price: { input: "0.003", output: "0.015", cacheRead: "0.0003", cacheWrite: "0.00375", cacheWrite1h: "0.006" } },
      "Claude Haiku 4.5": { caching: { ttl: "5m", tools: true }, price: { input: "0.001", output: "0.005", cacheRead: "0.0001", cacheWrite: "0.00125", cacheWrite1h: "0.002" } },
      "Claude 3.7 Sonnet": { caching: { ttl: "5m", tools: true }, price: { input: "0.003", output: "0.015", cacheRead: "0.0003", cacheWrite: "0.00375" } },
      "Amazon Nova Premier": { caching: { ttl: "5m", tools: false }, price: { input: "0.0025", output: "0.0125", cacheRead: "0.000625", cacheWrite: "0.0025" } },
      "Amazon Nova Pro": { caching: { ttl: "5m", tools: false }, price: { input: "0.0008", output: "0.0032", cacheRead: "0.0002", cacheWrite: "0.0008" } },
      "Amazon Nova Lite": { caching: { ttl: "5m", tools: false }, price: { input: "0.00006", output: "0.00024", cacheRead: "0.000015", cacheWrite: "0.00006" } },
      "Amazon Nova Micro": { caching: { ttl: "5m", tools: false }, price: { input: "0.000035", output: "0.00014", cacheRead: "0.00000875", cacheWrite: "0.000035" } },
    });
  });
});

describe("finding config.json", () => {
  it("prefers CONFIG_PATH, then ./config.json, then ./bin/config.json, then the bundled example", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    expect(findConfigFile({}, dir)).toBe(BUNDLED_CONFIG_PATH);
    writeFileSync(join(dir, "x.json"), "{}");
    expect(findConfigFile({ CONFIG_PATH: "x.json" }, dir)).toBe(join(dir, "x.json"));
    expect(() => findConfigFile({ CONFIG_PATH: "missing.json" }, dir)).toThrow(/does not exist \(set by CONFIG_PATH\)/);
  });
});
