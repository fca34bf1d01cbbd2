import { describe, expect, it } from "vitest";
import { keysOf, SHORTCUTS, shortcutOf } from "./shortcuts.js";

const press = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({ key, ctrlKey: !!mods.ctrl, metaKey: !!mods.meta, shiftKey: !!mods.shift, altKey: !!mods.alt });

describe("keyboard shortcuts", () => {
  it("knows each shortcut with Ctrl elsewhere and Cmd on a Mac, whatever the letter's case", () => {
    expect(shortcutOf(press("O", { ctrl: true, shift: true }), false)).toBe("newChat");
    expect(shortcutOf(press("o", { meta: true, shift: true }), true)).toBe("newChat");
    expect(shortcutOf(press("Escape", { shift: true }), false)).toBe("focusComposer");
    expect(shortcutOf(press("k", { ctrl: true }), false)).toBe("searchThreads");
    expect(shortcutOf(press("C", { ctrl: true, shift: true }), false)).toBe("copyLastAnswer");
    expect(shortcutOf(press("/", { ctrl: true }), false)).toBe("showShortcuts");
  });

  it("ignores presses that are not exactly a shortcut (typing, Ctrl+C, Alt, the other platform's modifier)", () => {
    expect(shortcutOf(press("k"), false)).toBeUndefined();
    expect(shortcutOf(press("c", { ctrl: true }), false)).toBeUndefined();
    expect(shortcutOf(press("k", { ctrl: true, alt: true }), false)).toBeUndefined();
    expect(shortcutOf(press("k", { meta: true }), false)).toBeUndefined();
    expect(shortcutOf(press("k", { ctrl: true }), true)).toBeUndefined();
    expect(shortcutOf(press("Escape"), false)).toBeUndefined();
  });

  it("writes each for the keyboard it is on", () => {
    expect(keysOf(SHORTCUTS[0]!, false)).toEqual(["Ctrl", "Shift", "O"]);
    expect(keysOf(SHORTCUTS[0]!, true)).toEqual(["⌘", "Shift", "O"]);
    expect(keysOf(SHORTCUTS[1]!, false)).toEqual(["Shift", "Esc"]);
  });
});
