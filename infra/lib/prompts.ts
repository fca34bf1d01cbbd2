import { RemovalPolicy, Stack } from "aws-cdk-lib";
import { CfnPrompt, CfnPromptVersion } from "aws-cdk-lib/aws-bedrock";
import { Construct } from "constructs";
import type { AppConfig } from "../../src/config/resolve.js";
import { promptKeys } from "../../src/prompts/names.js";

/** The `{{NAME}}` variables a template uses ({{TODAY}}, {{UTC_TIME}}), declared as the prompt's input variables. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!))];
}

export interface PromptPin {
  id: string;
  version: string;
  arn: string;
}

/**
 * The system prompts of config.json in Bedrock Prompt Management, as the original deploys them: the prompts the
 * app keeps (src/prompts/names.ts: one for default_system_prompt, one per profile with its own system_prompt), each
 * with version 1. Both are retained on update and delete, so a
 * redeploy never removes a version the app pinned; after the first deploy the app owns drafts, versions and pins.
 */
export class ChatPrompts extends Construct {
  /** "default" or a profile's name -> the prompt and version the app pins first (PROMPT_IDS). */
  readonly pins: Record<string, PromptPin> = {};
  /** Every prompt's ARN (the app's permissions). */
  readonly promptArns: string[] = [];
  /** The AWS::Bedrock::Prompt resources. */
  readonly resources: CfnPrompt[] = [];

  constructor(scope: Construct, id: string, config: AppConfig) {
    super(scope, id);
    // The app's own list of prompts (names, which profiles share the default one), so the stack creates exactly
    // the prompts the app would look for.
    promptKeys(config).forEach((key, index) => {
      const text = key.configText || " ";
      const variables = templateVariables(text);
      const prompt = new CfnPrompt(this, key.key === "default" ? "PromptDefault" : `PromptProfile${index}`, {
        name: key.name,
        description: `System prompt for ${key.label} (from config.json)`.slice(0, 200),
        defaultVariant: "default",
        variants: [
          {
            name: "default",
            templateType: "TEXT",
            templateConfiguration: { text: { text, ...(variables.length ? { inputVariables: variables.map((v) => ({ name: v })) } : {}) } },
          },
        ],
      });
      const version = new CfnPromptVersion(this, `${prompt.node.id}Version1`, { promptArn: prompt.attrArn, description: "Version 1, from config.json at the first deploy" });
      for (const resource of [prompt, version]) resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.promptArns.push(prompt.attrArn);
      this.resources.push(prompt);
      // PROMPT_IDS keys, as the app reads them: "default", or the profile's name for a profile's own prompt.
      this.pins[key.key === "default" ? "default" : key.label] = { id: prompt.attrId, version: version.attrVersion, arn: prompt.attrArn };
    });
  }

  /** PROMPT_IDS for the app: {"default": {"id": "...", "version": "1"}, "<profile>": {...}}. */
  promptIdsJson(): string {
    return Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.pins).map(([name, pin]) => [name, { id: pin.id, version: pin.version }])));
  }
}
