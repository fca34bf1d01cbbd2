import { describe, expect, it } from "vitest";
import { hasMath, splitBlocks } from "./blocks.js";

describe("splitBlocks", () => {
  it("splits at blank lines", () => {
    expect(splitBlocks("one\n\ntwo\nstill two\n\n\nthree")).toEqual(["one", "two\nstill two", "three"]);
  });
  it("keeps a code fence whole, blank lines included, even while it is still open (streaming)", () => {
    expect(splitBlocks("intro\n\n```js\na\n\nb\n```\n\nafter")).toEqual(["intro", "```js\na\n\nb\n```", "after"]);
    expect(splitBlocks("intro\n\n```py\nx = 1\n\ny = 2")).toEqual(["intro", "```py\nx = 1\n\ny = 2"]);
  });
  it("keeps $$ math whole", () => {
    expect(splitBlocks("a\n\n$$\nx\n\ny\n$$\n\nb")).toEqual(["a", "$$\nx\n\ny\n$$", "b"]);
    expect(splitBlocks("a\n\n$$x+y$$\n\nb")).toEqual(["a", "$$x+y$$", "b"]);
  });
  it("detects math", () => {
    expect(hasMath("the price is $5 and $6")).toBe(true); // ambiguous dollars load math support; rendering decides
    expect(hasMath("no math here")).toBe(false);
    expect(hasMath("$$x$$")).toBe(true);
    expect(hasMath("\\(x\\)")).toBe(true);
  });
});
