import { createStore, del, get, set } from "idb-keyval";

/** Composer drafts per thread in IndexedDB, written after a pause in typing (a 1 MB paste never blocks keys). */
const store = typeof indexedDB !== "undefined" ? createStore("chat-drafts", "drafts") : undefined;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

export const NEW_THREAD_DRAFT = "new";

export async function loadDraft(key: string): Promise<string> {
  if (!store) return "";
  try {
    return (await get<string>(key, store)) ?? "";
  } catch {
    return "";
  }
}

export function saveDraft(key: string, text: string, delayMs = 400): void {
  if (!store) return;
  clearTimeout(timers.get(key));
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      void (text ? set(key, text, store) : del(key, store)).catch(() => undefined);
    }, delayMs),
  );
}

export function clearDraft(key: string): void {
  clearTimeout(timers.get(key));
  timers.delete(key);
  if (store) void del(key, store).catch(() => undefined);
}
