import { z } from "zod";
import { EFFORTS } from "../engine/settings.js";
import { COST_PRECISION, type Preferences } from "../shared/preferences.js";
import { hasNul, stripNul } from "../shared/text.js";

/** Free text a person typed or pasted (messages, titles, names, system prompts): NUL characters are removed. */
export const freeText = () => z.string().transform(stripNul);

/** An identifier (email, token, profile name): a NUL character is refused with a 400 that says so. */
export const identifier = (what: string, max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !hasNul(text), `The ${what} contains a NUL character (\\u0000), which it cannot have. Type it again without it.`);

/**
 * A thread's model settings as the browser sends them (display preferences such as showing the cost are the
 * user's, see /api/preferences). Types only here: ranges and what a profile offers are checked once, by the
 * engine's checkSettings, in the routes.
 */
export const settingsSchema = z
  .object({
    stream: z.boolean(),
    thinking: z.boolean(),
    budgetTokens: z.number(),
    effort: z.enum(EFFORTS as ["low", "medium", "high"]),
    interleaved: z.boolean(),
    temperature: z.number(),
    topP: z.number().nullable(),
    maxTokens: z.number(),
    system: freeText().nullable(),
    promptCaching: z.boolean(),
  })
  .partial();

export type ChatSettings = z.infer<typeof settingsSchema>;

/** A user's display preferences (src/shared/preferences.ts). */
export const preferencesSchema = z.object({
  showCost: z.boolean(),
  costPrecision: z.number().int().min(COST_PRECISION.min).max(COST_PRECISION.max),
  lastProfile: identifier("profile name", 200).nullable(),
  sidebarCollapsed: z.boolean(),
}) satisfies z.ZodType<Preferences>;

export const preferencesPatchSchema = preferencesSchema.partial();

/** Path ids: a value that is not an id answers 404 (see the error handler), and is never queried. */
export const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/) });

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
