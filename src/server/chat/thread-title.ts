import type { AppConfig, ModelProfile } from "../../config/resolve.js";
import type { Provider } from "../../engine/provider.js";
import type { Db } from "../../store/db.js";
import { addThreadCost, getThread, setTitleIfPlaceholder } from "../../store/threads.js";
import { recordUsage } from "../../store/usage.js";
import { uncachedCostOf } from "../../engine/cost.js";
import { fallbackTitle, generateTitle } from "./title.js";

export const PLACEHOLDER_TITLE = "New chat";

export interface TitleOptions {
  db: Db;
  provider: Provider;
  config: AppConfig;
  /** off: titles are the first words of the first message. */
  titleGeneration?: "on" | "off";
  /** Profile that writes titles (default: the thread's). */
  titleProfile?: string;
  now: () => Date;
  log: { warn: (o: object, m?: string) => void };
}

/**
 * After a thread's first answer: a short title from the model (its cost counted in the thread and the usage
 * report), or the first words of the question. Left alone when the user renamed the thread meanwhile.
 */
export async function writeThreadTitle(options: TitleOptions, thread: { ownerId: string; threadId: string; profile: ModelProfile; question: string; answer: string }): Promise<void> {
  const { db, config, provider, log } = options;
  const current = await getThread(db, thread.ownerId, thread.threadId);
  if (!current || current.title !== PLACEHOLDER_TITLE) return;
  let title = fallbackTitle(thread.question);
  if (options.titleGeneration !== "off") {
    const profile = config.profiles.find((p) => p.name === options.titleProfile) ?? thread.profile;
    try {
      const generated = await generateTitle(provider, profile, thread.question, thread.answer);
      title = generated.title;
      if (generated.cost) await addThreadCost(db, thread.ownerId, thread.threadId, generated.cost.total);
      if (generated.usage) {
        await recordUsage(
          db,
          {
            userId: thread.ownerId,
            threadId: thread.threadId,
            kind: "title",
            profile: profile.name,
            modelId: profile.modelId,
            usage: generated.usage,
            cost: generated.cost?.total ?? null,
            uncachedCost: uncachedCostOf(generated.usage, profile.price),
          },
          options.now(),
        );
      }
    } catch (error) {
      log.warn({ err: error, threadId: thread.threadId }, "title generation failed; using the first words");
    }
  }
  await setTitleIfPlaceholder(db, thread.ownerId, thread.threadId, PLACEHOLDER_TITLE, title);
}
