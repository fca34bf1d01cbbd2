import { describe, expect, it } from "vitest";
import { placeholdersIn, renderSystemPrompt, systemPromptFor } from "./system-prompt.js";

const now = new Date("2026-03-04T05:06:07.890Z");

describe("system prompt variables", () => {
  it("substitutes {{TODAY}} and {{UTC_TIME}} (every occurrence) and leaves unknown variables", () => {
    expect(renderSystemPrompt("Today is {{TODAY}}. Now {{UTC_TIME}}. Again {{TODAY}}. {{AI}}", now)).toBe(
      "Today is 2026-03-04. Now 2026-03-04 05:06:07 UTC. Again 2026-03-04. {{AI}}",
    );
  });
  it("prefers the user's override, and sends nothing for a blank prompt", () => {
    expect(systemPromptFor("model prompt", undefined, now)).toBe("model prompt");
    expect(systemPromptFor("model prompt", "mine on {{TODAY}}", now)).toBe("mine on 2026-03-04");
    expect(systemPromptFor("model prompt", "  ", now)).toBeUndefined();
    expect(systemPromptFor("", undefined, now)).toBeUndefined();
  });
});

describe("the variable registry", () => {
  it("leaves a user's braces that name Object's own members as written (they once threw or printed [object Object])", () => {
    expect(renderSystemPrompt("{{constructor}} {{toString}} {{__proto__}} {{hasOwnProperty}} on {{TODAY}}", now)).toBe("{{constructor}} {{toString}} {{__proto__}} {{hasOwnProperty}} on 2026-03-04");
  });
  it("tells the known placeholders from the others, each once", () => {
    expect(placeholdersIn("{{TODAY}} {{AI}} {{TODAY}} {{UTC_TIME}} {{name}} {{ spaced }} {{constructor}}")).toEqual({ known: ["TODAY", "UTC_TIME"], unknown: ["AI", "name", "constructor"] });
  });
});
