import { describe, expect, it } from "vitest";
import type { ModelProfile } from "../config/resolve.js";
import { keyOf, PROMPT_NAME_PATTERN, promptKeys, sanitizeName } from "./names.js";

const profile = (name: string, systemPrompt: string) => ({ name, systemPrompt }) as ModelProfile;

describe("prompt names", () => {
  it("fit Bedrock's rule: runs of other characters become one -, no - at either end", () => {
    expect(sanitizeName("Claude 3.7 Sonnet")).toBe("Claude-3-7-Sonnet");
    expect(sanitizeName("  __Nova (Pro)__ ")).toBe("Nova-Pro");
    expect(sanitizeName("日本語")).toBe("");
  });

  it("one prompt for the default and one per profile with its own text, unique, at most 100 characters", () => {
    const keys = promptKeys({
      prefix: "",
      defaultSystemPrompt: "Default text",
      profiles: [profile("Claude 3.7", "own"), profile("Claude 3-7", "other"), profile("Nova", "Default text"), profile("default", "mine"), profile("日本語", "x"), profile("x".repeat(150), "long")],
    });
    expect(keys.map((k) => [k.key, k.name])).toEqual([
      ["default", "fllm-default"],
      ["profile:Claude 3.7", "fllm-Claude-3-7"],
      ["profile:Claude 3-7", "fllm-Claude-3-7-2"],
      ["profile:default", "fllm-default-2"],
      ["profile:日本語", "fllm-profile"],
      [`profile:${"x".repeat(150)}`, `fllm-${"x".repeat(95)}`],
    ]);
    expect(keys[0]!.profiles).toEqual(["Nova"]);
    for (const k of keys) expect(k.name).toMatch(PROMPT_NAME_PATTERN);
    expect(keyOf(keys, { name: "Nova" }).key).toBe("default");
    expect(keyOf(keys, { name: "Claude 3-7" }).name).toBe("fllm-Claude-3-7-2");
  });

  it("take the config's prefix", () => {
    expect(promptKeys({ prefix: "Team A!", defaultSystemPrompt: "", profiles: [] })[0]!.name).toBe("Team-A-default");
  });
});
