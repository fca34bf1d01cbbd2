import { describe, expect, it } from "vitest";
import { cleanTitle, fallbackTitle } from "./title.js";

describe("fallbackTitle", () => {
  it("takes the first words of the message without its markdown syntax", () => {
    expect(fallbackTitle("Show me `code` in the dark\n\n```python\nprint('hi')\n```")).toBe("Show me code in the dark");
    expect(fallbackTitle("# Release notes\n**Why** does _this_ link to [Kysely](https://kysely.dev)?")).toBe("Release notes Why does this link to Kysely?");
    expect(fallbackTitle("> quoted\n- first item\n2. second")).toBe("quoted first item second");
  });

  it("keeps words that only look like markdown", () => {
    expect(fallbackTitle("What does my_var * 2 do in C++?")).toBe("What does my_var * 2 do in C++?");
  });

  it("names a message that is only code by its code, and an empty one New chat", () => {
    expect(fallbackTitle("```sql\nSELECT id FROM threads\n```")).toBe("SELECT id FROM threads");
    expect(fallbackTitle("   ")).toBe("New chat");
  });

  it("keeps at most eight words and 60 characters", () => {
    expect(fallbackTitle("one two three four five six seven eight nine ten")).toBe("one two three four five six seven eight");
    expect(fallbackTitle("x".repeat(80))).toBe(`${"x".repeat(57)}...`);
  });
});

describe("cleanTitle", () => {
  it("drops quotes, a Title: prefix and final punctuation, and keeps the first line", () => {
    expect(cleanTitle('"Title: Kubernetes pod networking."\nMore text')).toBe("Kubernetes pod networking");
    expect(cleanTitle("  \n")).toBeUndefined();
  });
});
