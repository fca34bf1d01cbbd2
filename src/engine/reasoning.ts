import type { ModelProfile, ReasoningStyle } from "../config/resolve.js";
import type { InferenceParams, ReasoningRequest } from "./provider.js";
import { LIMITS, type TurnSettings } from "./settings.js";

/** What one model call sends for sampling and reasoning, and anything the user should be told about it. */
export interface RequestPlan {
  inference: InferenceParams;
  reasoning?: ReasoningRequest;
  /** Whether the model reasons on this call (false when thinking had to be dropped). */
  thinking: boolean;
  notices: string[];
}

type Policy = (profile: ModelProfile, settings: TurnSettings, hasTools: boolean) => RequestPlan;

/** Reasoning policies, one per style; the style comes from config flags, resolved once per profile. */
const POLICIES: Record<ReasoningStyle, Policy> = {
  none: (_profile, settings) => ({ inference: plainSampling(settings), thinking: false, notices: [] }),

  anthropic: (profile, settings, hasTools) => {
    if (!settings.thinking) return { inference: plainSampling(settings), thinking: false, notices: [] };
    // Bedrock requires budget_tokens < maxTokens: make room for the answer, within the model's limit.
    const maxTokens = Math.min(Math.max(settings.maxTokens, settings.budgetTokens + LIMITS.budgetTokens.min), profile.maxTokens);
    let budgetTokens = settings.budgetTokens;
    const notices: string[] = [];
    if (budgetTokens > maxTokens - LIMITS.budgetTokens.min) {
      budgetTokens = maxTokens - LIMITS.budgetTokens.min;
      if (budgetTokens < LIMITS.budgetTokens.min) {
        return {
          inference: withStops({ maxTokens: settings.maxTokens, ...forcedTemperature(profile) }, settings),
          thinking: false,
          notices: [
            `Answered without thinking: the model's limit of ${profile.maxTokens} output tokens leaves no room for the minimum thinking budget of ${LIMITS.budgetTokens.min} tokens plus an answer.`,
          ],
        };
      }
      notices.push(
        `Thinking budget lowered from ${settings.budgetTokens} to ${budgetTokens} tokens so it fits below the model's limit of ${profile.maxTokens} output tokens.`,
      );
    }
    return {
      inference: withStops({ maxTokens, ...forcedTemperature(profile) }, settings),
      reasoning: { type: "budget", budgetTokens, interleaved: settings.interleaved && hasTools },
      thinking: true,
      notices,
    };
  },

  openai: (_profile, settings) => ({
    inference: withStops({ maxTokens: settings.maxTokens, temperature: 1, topP: 1 }, settings),
    reasoning: { type: "effort", effort: settings.effort },
    thinking: true,
    notices: [],
  }),

  "always-on": (profile, settings) => ({
    inference: profile.reasoning.pinnedSampling
      ? withStops({ maxTokens: settings.maxTokens, temperature: 1, topP: 1 }, settings)
      : plainSampling(settings),
    thinking: true,
    notices: [],
  }),
};

export function planRequest(profile: ModelProfile, settings: TurnSettings, hasTools: boolean): RequestPlan {
  return POLICIES[profile.reasoning.style](profile, settings, hasTools);
}

function plainSampling(settings: TurnSettings): InferenceParams {
  return withStops(
    {
      maxTokens: settings.maxTokens,
      temperature: settings.temperature,
      ...(settings.topP !== undefined ? { topP: settings.topP } : {}),
    },
    settings,
  );
}

function forcedTemperature(profile: ModelProfile): { temperature?: number } {
  const forced = profile.reasoning.temperatureForced;
  return forced !== undefined ? { temperature: forced } : {};
}

function withStops(inference: InferenceParams, settings: TurnSettings): InferenceParams {
  return settings.stopSequences ? { ...inference, stopSequences: settings.stopSequences } : inference;
}
