/**
 * The chat's keyboard shortcuts, as in ChatGPT: one table, read by the key handler and by the "Keyboard shortcuts"
 * dialog, so what is listed is what works. `mod` is Ctrl, or Cmd on a Mac.
 */
export type ShortcutAction = "newChat" | "focusComposer" | "searchThreads" | "copyLastAnswer" | "showShortcuts";

export interface Shortcut {
  action: ShortcutAction;
  key: string;
  mod: boolean;
  shift: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: "newChat", key: "o", mod: true, shift: true },
  { action: "focusComposer", key: "Escape", mod: false, shift: true },
  { action: "searchThreads", key: "k", mod: true, shift: false },
  { action: "copyLastAnswer", key: "c", mod: true, shift: true },
  { action: "showShortcuts", key: "/", mod: true, shift: false },
];

export const isMac = (platform: string) => /Mac|iPhone|iPad/.test(platform);

/** The shortcut a key press is, if any (a press with Alt, or with a modifier it does not want, is none). */
export function shortcutOf(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">, mac: boolean): ShortcutAction | undefined {
  if (event.altKey) return undefined;
  const mod = mac ? event.metaKey : event.ctrlKey;
  const other = mac ? event.ctrlKey : event.metaKey;
  if (other) return undefined;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  return SHORTCUTS.find((s) => s.mod === mod && s.shift === event.shiftKey && s.key === key)?.action;
}

/** How a shortcut is written for this keyboard: "Ctrl + Shift + O", "⌘ + Shift + O". */
export function keysOf(shortcut: Shortcut, mac: boolean): string[] {
  const key = shortcut.key === "Escape" ? "Esc" : shortcut.key.length === 1 ? shortcut.key.toUpperCase() : shortcut.key;
  return [...(shortcut.mod ? [mac ? "⌘" : "Ctrl"] : []), ...(shortcut.shift ? ["Shift"] : []), key];
}
