import { z } from "zod";
import { EFFORTS } from "../engine/settings.js";
import { hasNul, stripNul } from "../shared/text.js";

/** Free text a person typed or pasted (messages, titles, names, system prompts): NUL characters are removed. */
export const freeText = () => z.string().transform(stripNul);

/** An identifier (email, token, profile name): a NUL character is refused with a 400 that says so. */
export const identifier = (what: string, max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !hasNul(text), `The ${what} contains a NUL character (\\u0000), which it cannot have. Type it again without it.`);

/** Chat settings as the browser sends them; stored per thread. Ranges are checked per profile by the engine. */
export const settingsSchema = z
  .object({
    stream: z.boolean(),
    thinking: z.boolean(),
    budgetTokens: z.number().int(),
    effort: z.enum(EFFORTS as ["low", "medium", "high"]),
    interleaved: z.boolean(),
    temperature: z.number(),
    topP: z.number().nullable(),
    maxTokens: z.number().int(),
    system: freeText().nullable(),
    showCost: z.boolean(),
    costPrecision: z.number().int().min(1).max(10),
  })
  .partial();

export type ChatSettings = z.infer<typeof settingsSchema>;

/** Path ids: a value that is not an id answers 404 (see the error handler), and is never queried. */
export const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/) });

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
