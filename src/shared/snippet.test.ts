import { describe, expect, it } from "vitest";
import { markTerms, markedPieces, snippetOf } from "./snippet.js";

const marked = (text: string, marks: [number, number][]) => marks.map(([s, e]) => text.slice(s, e));

describe("search snippets (issue 12)", () => {
  it("marks whole words of the stored text that the search matched as prefixes, diacritics and case aside", () => {
    const text = "Ångström units; the ANTARCTIC shelf, and antarctica's penguins. Cafe\u0301 au lait.";
    expect(marked(text, markTerms(text, "antarc angst"))).toEqual(["Ångström", "ANTARCTIC", "antarctica"]);
    expect(marked(text, markTerms(text, "café"))).toEqual(["Cafe\u0301"]);
    expect(markTerms(text, "  ,, ")).toEqual([]);
  });

  it("cuts about `width` characters around the first match at word boundaries, with ellipses where text was left out", () => {
    const text = `${"alpha ".repeat(40)}the walrus sleeps\n\non ice ${"omega ".repeat(40)}`;
    const snippet = snippetOf(text, "walrus", 60)!;
    expect(snippet.text.startsWith("…")).toBe(true);
    // A short lead-in: the match is near the start (a narrow list shows two lines).
    expect(snippet.text.indexOf("walrus")).toBeLessThan(15);
    expect(snippet.text.endsWith("omega…")).toBe(true);
    expect(snippet.text).toContain("the walrus sleeps on ice");
    expect(snippet.text.length).toBeLessThanOrEqual(62);
    expect(marked(snippet.text, snippet.marks)).toEqual(["walrus"]);
  });

  it("keeps a short text whole, and has no snippet when nothing matches", () => {
    expect(snippetOf("Walrus facts", "walr")).toEqual({ text: "Walrus facts", marks: [[0, 6]] });
    expect(snippetOf("Walrus facts", "penguin")).toBeUndefined();
  });

  it("cuts a text into plain and marked pieces", () => {
    expect(markedPieces("a walrus b", [[2, 8]])).toEqual([
      { text: "a ", marked: false },
      { text: "walrus", marked: true },
      { text: " b", marked: false },
    ]);
  });
});
