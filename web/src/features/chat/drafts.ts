import { createStore, del, get, set } from "idb-keyval";

/** Composer drafts per thread in IndexedDB, written after a pause in typing (a 1 MB paste never blocks keys). */
const store = typeof indexedDB !== "undefined" ? createStore("chat-drafts", "drafts") : undefined;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

export const NEW_THREAD_DRAFT = "new";

export interface Draft {
  text: string;
  /** Large pastes kept beside the box (see Composer). */
  pasted: string[];
}

export async function loadDraft(key: string): Promise<Draft> {
  if (!store) return { text: "", pasted: [] };
  try {
    const saved = await get<string | Draft>(key, store);
    if (typeof saved === "string") return { text: saved, pasted: [] };
    return saved ?? { text: "", pasted: [] };
  } catch {
    return { text: "", pasted: [] };
  }
}

/** Saves after a pause in typing; the text is read then, once, not on every key. */
export function saveDraft(key: string, read: () => Draft, delayMs = 400): void {
  if (!store) return;
  clearTimeout(timers.get(key));
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      const draft = read();
      void (draft.text || draft.pasted.length ? set(key, draft, store) : del(key, store)).catch(() => undefined);
    }, delayMs),
  );
}

export function clearDraft(key: string): void {
  clearTimeout(timers.get(key));
  timers.delete(key);
  if (store) void del(key, store).catch(() => undefined);
}
