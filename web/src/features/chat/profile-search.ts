import type { Profile } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import { formatCost } from "../settings/format.js";

/** One provider's profiles, in config order. */
export interface ProfileGroup {
  provider: string;
  profiles: Profile[];
}

/** The capabilities a profile shows as badges (and that the search matches), in a fixed order. */
export function capabilityLabels(p: Profile): string[] {
  const labels: string[] = [];
  if (p.capabilities.vision) labels.push(t.badgeVision);
  if (p.capabilities.document) labels.push(t.badgeDocument);
  if (p.capabilities.tool) labels.push(t.badgeTool);
  if (p.capabilities.reasoning !== "none") labels.push(t.badgeReasoning);
  return labels;
}

/** A provider as shown: the config's spelling with its first letter capitalized ("anthropic" → "Anthropic"). */
export const providerLabel = (provider: string) => provider.charAt(0).toUpperCase() + provider.slice(1);

/**
 * The profiles matching `query` (every word found in the name, provider, model id or a capability), grouped by
 * provider in the order providers first appear in the config.
 */
export function groupProfiles(profiles: readonly Profile[], query: string): ProfileGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, Profile[]>();
  for (const p of profiles) {
    const haystack = [p.name, providerLabel(p.provider), p.modelId, ...capabilityLabels(p)].join(" ").toLowerCase();
    if (!words.every((w) => haystack.includes(w))) continue;
    const label = providerLabel(p.provider);
    const group = groups.get(label);
    if (group) group.push(p);
    else groups.set(label, [p]);
  }
  return [...groups].map(([provider, list]) => ({ provider, profiles: list }));
}

/** "200K" for 200,000 tokens, "1M" for 1,000,000, "32.8K" for 32,768; under 1,000 as is. */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${trim(n / 1_000_000, 1)}M`;
  if (n >= 1_000) return `${trim(n / 1_000, 1)}K`;
  return String(n);
}

/**
 * A price per 1,000 tokens (the config's exact decimal text, exponent allowed) as dollars per million tokens, to 4
 * decimals: "0.003" → "3". The decimal point moves three places in the text: no float on the way.
 */
export function perMillion(price1k: string): string {
  const [, whole = "", fraction = "", exponent = "0"] = /^(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(price1k.trim()) ?? [];
  const digits = whole + fraction;
  const point = whole.length + Number(exponent) + 3;
  const padded = point <= 0 ? "0".repeat(1 - point) + digits : digits.padEnd(point, "0");
  const at = Math.max(point, 1);
  const text = `${padded.slice(0, at).replace(/^0+(?=\d)/, "") || "0"}.${padded.slice(at) || "0"}`;
  return formatCost(text, 4);
}

const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));
