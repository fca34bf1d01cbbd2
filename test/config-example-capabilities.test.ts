import { describe, expect, it } from "vitest";
import { BUNDLED_CONFIG_PATH, loadConfig } from "../src/config/load.js";
import { resolveModelId } from "./emulator/validate.js";

/**
 * The bundled config.example.json promises each profile's capabilities to the app (the attach button, the
 * upfront refusals, the picker's badges). Each promise must be one Bedrock keeps: the emulator's model table
 * follows AWS's "Supported models and model features" page, so a profile that says it takes documents or images
 * must be on a model that takes them, or the user learns it from a Bedrock error after sending.
 */
describe("config.example.json's capabilities", () => {
  const { config } = loadConfig(BUNDLED_CONFIG_PATH);
  it.each(config.profiles.map((p) => [p.name, p] as const))("%s promises only what its model takes (images, documents, tools, S3 sources)", (_name, profile) => {
    const { model } = resolveModelId(profile.modelId, profile.region);
    if (profile.vision) expect(model.vision, "vision").toBe(true);
    if (profile.document) expect(model.documents, "document").toBe(true);
    if (profile.tool) expect(model.tools, "tool").toBe(true);
    if (profile.s3Sources) expect(model.s3Sources, "s3_sources").toBe(true);
  });
});
