import { z } from "zod";
import { EFFORTS } from "../engine/settings.js";

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
    system: z.string().nullable(),
    showCost: z.boolean(),
    costPrecision: z.number().int().min(1).max(10),
  })
  .partial();

export type ChatSettings = z.infer<typeof settingsSchema>;

export const idParams = z.object({ id: z.string().min(1).max(64) });

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
