import { t } from "../../i18n/index.js";

/** How long the model thought: "3 s", or "less than a second" ("0.0 s" reads as if it did not think at all). */
export function thinkingDuration(ms: number): string {
  return ms < 950 ? t.underASecond : `${Math.round(ms / 1000)} s`;
}
