import { describe, expect, it } from "vitest";
import { BEDROCK_TOOL_NAME, mapToolNames, nameHash, sanitizeNamePart } from "./names.js";

const refs = (...pairs: [string, string][]) => pairs.map(([server, tool]) => ({ server, tool }));

describe("mapToolNames", () => {
  it("names a tool server__tool and maps it back", () => {
    const names = mapToolNames(refs(["weather", "get_forecast"], ["files", "read-file"]));
    expect(names.entries.map((e) => e.name)).toEqual(["files__read-file", "weather__get_forecast"]);
    expect(names.toBedrock("weather", "get_forecast")).toBe("weather__get_forecast");
    expect(names.fromBedrock("files__read-file")).toEqual({ server: "files", tool: "read-file" });
    expect(names.fromBedrock("files__nope")).toBeUndefined();
    expect(names.toBedrock("files", "nope")).toBeUndefined();
  });

  it("sanitizes to Bedrock's alphabet: dots, slashes, spaces and accents", () => {
    const names = mapToolNames(refs(["My Server", "fs.read/file"], ["café", "naïve tool"], ["日本", "検索"]));
    for (const { name } of names.entries) expect(name).toMatch(BEDROCK_TOOL_NAME);
    expect(names.toBedrock("My Server", "fs.read/file")).toBe("My_Server__fs_read_file");
    expect(names.toBedrock("café", "naïve tool")).toBe("cafe__naive_tool");
    expect(names.toBedrock("日本", "検索")).toBe("x__x");
  });

  it("shortens a name over 64 characters with a stable hash, and keeps it unique", () => {
    const long = "a".repeat(100);
    const names = mapToolNames(refs(["srv", long], ["srv", `${long}b`]));
    const [a, b] = [names.toBedrock("srv", long)!, names.toBedrock("srv", `${long}b`)!];
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a).toBe(`srv__${"a".repeat(50)}_${nameHash("srv", long)}`);
    expect(a).toMatch(BEDROCK_TOOL_NAME);
    expect(names.fromBedrock(a)).toEqual({ server: "srv", tool: long });
  });

  it("hashes every pair of a clash, so neither wins by the order it came in", () => {
    const forward = mapToolNames(refs(["s", "a.b"], ["s", "a_b"], ["s", "c"]));
    const backward = mapToolNames(refs(["s", "c"], ["s", "a_b"], ["s", "a.b"]));
    expect(forward.entries).toEqual(backward.entries);
    const dotted = forward.toBedrock("s", "a.b")!;
    const underscored = forward.toBedrock("s", "a_b")!;
    expect(dotted).not.toBe(underscored);
    expect(dotted).toMatch(/^s__a_b_[0-9a-f]{8}$/);
    expect(underscored).toMatch(/^s__a_b_[0-9a-f]{8}$/);
    expect(forward.toBedrock("s", "c")).toBe("s__c");
    expect(forward.fromBedrock(dotted)).toEqual({ server: "s", tool: "a.b" });
  });

  it("keeps names unique across servers whose parts meet at the separator", () => {
    const names = mapToolNames(refs(["a__b", "c"], ["a", "b__c"]));
    const [x, y] = [names.toBedrock("a__b", "c")!, names.toBedrock("a", "b__c")!];
    expect(x).not.toBe(y);
    expect(new Set(names.entries.map((e) => e.name)).size).toBe(2);
  });

  it("is deterministic and sorted by Bedrock name (byte-identical turn to turn)", () => {
    const input = refs(["zeta", "one"], ["alpha", "two"], ["Mid", "x"], ["alpha", "One"]);
    const first = JSON.stringify(mapToolNames(input).entries);
    const again = JSON.stringify(mapToolNames([...input].reverse()).entries);
    expect(again).toBe(first);
    expect(mapToolNames(input).entries.map((e) => e.name)).toEqual(["Mid__x", "alpha__One", "alpha__two", "zeta__one"]);
  });

  it("counts a pair listed twice once; an empty list is an empty table", () => {
    expect(mapToolNames(refs(["s", "t"], ["s", "t"])).entries).toEqual([{ server: "s", tool: "t", name: "s__t" }]);
    expect(mapToolNames([]).entries).toEqual([]);
  });

  it("hundreds of tools all get valid, distinct names", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ server: `server ${i % 7}`, tool: `tool.${i % 50}.${"x".repeat(i % 90)}` }));
    const names = mapToolNames(many);
    const all = names.entries.map((e) => e.name);
    expect(new Set(all).size).toBe(names.entries.length);
    for (const name of all) expect(name).toMatch(BEDROCK_TOOL_NAME);
    for (const ref of many) expect(names.fromBedrock(names.toBedrock(ref.server, ref.tool)!)).toEqual(ref);
  });
});

describe("sanitizeNamePart", () => {
  it("replaces runs of other characters with one underscore and never gives an empty part", () => {
    expect(sanitizeNamePart("a..b  c")).toBe("a_b_c");
    expect(sanitizeNamePart("")).toBe("x");
    expect(sanitizeNamePart("...")).toBe("x");
    expect(sanitizeNamePart("ok-name_1")).toBe("ok-name_1");
  });
});
