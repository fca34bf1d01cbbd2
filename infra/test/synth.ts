import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { parseConfigText } from "../../src/config/load.js";
import { ChatStack } from "../lib/chat-stack.js";
import { readSettings } from "../lib/settings.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SAMPLE_CONFIG = join(ROOT, "infra", "test", "sample-config.json");

/**
 * Synthesizes the stack once for a test file, offline (env-agnostic, no Docker: the image asset is only
 * fingerprinted), with cdk-nag's AwsSolutions checks: synth throws on any finding that is not acknowledged.
 */
export function synthStack(context: Record<string, string> = {}): { stack: ChatStack; template: Template } {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), "chat-cdk-")), context: { "aws:cdk:disable-asset-staging": true, ...context } });
  const { config } = parseConfigText(readFileSync(SAMPLE_CONFIG, "utf8"), SAMPLE_CONFIG);
  const stack = new ChatStack(app, "FoundationalLlmChat", { config, settings: readSettings(app.node), contextDir: ROOT, configFile: "infra/test/sample-config.json" });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

/** A template value with CloudFormation's pseudo parameters and attributes written out, to compare as text. */
export function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if ("Fn::Join" in v) {
      const [sep, parts] = v["Fn::Join"] as [string, unknown[]];
      return parts.map((p) => String(render(p))).join(sep);
    }
    if ("Ref" in v) return ({ "AWS::Partition": "aws", "AWS::AccountId": "ACCOUNT", "AWS::Region": "REGION", "AWS::URLSuffix": "amazonaws.com" } as Record<string, string>)[v["Ref"] as string] ?? `<${v["Ref"] as string}>`;
    if ("Fn::GetAtt" in v) return `<${(v["Fn::GetAtt"] as string[]).join(".")}>`;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]));
  }
  return value;
}

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}
