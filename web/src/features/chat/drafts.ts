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

const pending = new Map<string, () => void>();

/** Saves after a pause in typing; the text is read then, once, not on every key. */
export function saveDraft(key: string, read: () => Draft, delayMs = 400): void {
  if (!store) return;
  clearTimeout(timers.get(key));
  const write = () => {
    timers.delete(key);
    pending.delete(key);
    const draft = read();
    void (draft.text || draft.pasted.length ? set(key, draft, store) : del(key, store)).catch(() => undefined);
  };
  pending.set(key, write);
  timers.set(key, setTimeout(write, delayMs));
}

/** Writes a pending save now (the composer is going away: another page, the session ended). */
export function flushDraft(key: string): void {
  clearTimeout(timers.get(key));
  pending.get(key)?.();
}

export function clearDraft(key: string): void {
  clearTimeout(timers.get(key));
  timers.delete(key);
  pending.delete(key);
  if (store) void del(key, store).catch(() => undefined);
}
