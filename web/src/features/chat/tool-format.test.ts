import { describe, expect, it } from "vitest";
import { prettyJson, prettyText, resultBlocks, splitToolName, toolNames } from "./tool-format.js";

describe("splitToolName: the tool and its server from the name the model called", () => {
  it("splits at the first __", () => {
    expect(splitToolName("everything__echo")).toEqual({ server: "everything", tool: "echo" });
    expect(splitToolName("my_server__get__sum")).toEqual({ server: "my_server", tool: "get__sum" });
    expect(splitToolName("srv__aaaa_1a2b3c4d")).toEqual({ server: "srv", tool: "aaaa_1a2b3c4d" });
  });
  it("a name without __, or with nothing on one side of it, is the tool alone", () => {
    expect(splitToolName("get_weather")).toEqual({ server: null, tool: "get_weather" });
    expect(splitToolName("__echo")).toEqual({ server: null, tool: "__echo" });
    expect(splitToolName("srv__")).toEqual({ server: null, tool: "srv__" });
    expect(splitToolName("")).toEqual({ server: null, tool: "" });
  });
});

describe("toolNames: what a tool step is labelled with", () => {
  it("takes the MCP names the server stored on the part, even when the model's name was shortened with a hash", () => {
    expect(toolNames({ name: "hard__weather_forecast_for_the_next_7_days_hourl_1a2b3c4d", server: "hard", tool: "weather.forecast/for the next 7 days" })).toEqual({ server: "hard", tool: "weather.forecast/for the next 7 days" });
    // A server whose name has "__" in it: the split would cut it in the wrong place.
    expect(toolNames({ name: "my__srv__echo", server: "my__srv", tool: "echo" })).toEqual({ server: "my__srv", tool: "echo" });
  });
  it("falls back to splitting the model's name for answers saved before parts carried the names", () => {
    expect(toolNames({ name: "everything__echo" })).toEqual({ server: "everything", tool: "echo" });
    expect(toolNames({ name: "get_weather" })).toEqual({ server: null, tool: "get_weather" });
    // Both names are needed: half of them is treated as none.
    expect(toolNames({ name: "everything__echo", server: "everything" })).toEqual({ server: "everything", tool: "echo" });
  });
});

describe("prettyJson and prettyText", () => {
  it("indents objects, arrays and text that holds JSON", () => {
    expect(prettyJson({ city: "Oslo", days: [1, 2] })).toBe('{\n  "city": "Oslo",\n  "days": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyText(' [1,2] ')).toBe("[\n  1,\n  2\n]");
  });
  it("keeps other text as it is", () => {
    expect(prettyText("Echo: hi")).toBe("Echo: hi");
    expect(prettyText("{not json")).toBe("{not json");
    expect(prettyJson(undefined)).toBe("");
    expect(prettyJson(42)).toBe("42");
    expect(prettyJson(null)).toBe("null");
  });
});

describe("resultBlocks: a tool result as text blocks and images, in order", () => {
  it("joins text and JSON items, images stand apart", () => {
    const image = { type: "image" as const, format: "png" as const, source: { type: "attachment" as const, id: "a1" } };
    expect(resultBlocks([{ type: "text", text: "one" }, { type: "json", json: { b: 1 } }, image, { type: "text", text: "" }, { type: "text", text: "two" }])).toEqual([
      { kind: "text", text: 'one\n{\n  "b": 1\n}' },
      { kind: "image", part: image },
      { kind: "text", text: "two" },
    ]);
  });
  it("a streamed JSON result reads the same as the stored one", () => {
    expect(resultBlocks([{ type: "text", text: '{"b":1}' }])).toEqual(resultBlocks([{ type: "json", json: { b: 1 } }]));
    expect(resultBlocks([])).toEqual([]);
  });
});
