import { describe, expect, it } from "vitest";
import type { Message } from "../../api/types.js";
import { pathTo, siblingsOf } from "../../../../src/shared/thread-tree.js";

// The web app walks the thread tree with the server's functions (src/shared/thread-tree.ts): the cases it relies on.
const m = (id: string, parentId: string | null, role: "user" | "assistant"): Message => ({
  id,
  threadId: "t",
  parentId,
  role,
  parts: [{ type: "text", text: id }],
  status: "complete",
  profile: null,
  modelId: null,
  usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 },
  cost: null,
  error: null,
  meta: {},
  createdAt: id,
});

describe("branches", () => {
  const all = [m("u1", null, "user"), m("a1", "u1", "assistant"), m("a1b", "u1", "assistant"), m("u2", "a1", "user"), m("u2b", "a1", "user"), m("a2", "u2b", "assistant")];
  it("follows parent pointers from the active leaf", () => {
    expect(pathTo(all, "a2").map((x) => x.id)).toEqual(["u1", "a1", "u2b", "a2"]);
    expect(pathTo(all, "a1b").map((x) => x.id)).toEqual(["u1", "a1b"]);
  });
  it("without an active leaf, ends at the last message", () => {
    expect(pathTo(all, null).map((x) => x.id)).toEqual(["u1", "a1", "u2b", "a2"]);
    expect(pathTo([], null)).toEqual([]);
  });
  it("lists the versions of a message", () => {
    expect(siblingsOf(all, all[1]!).map((x) => x.id)).toEqual(["a1", "a1b"]);
    expect(siblingsOf(all, all[4]!).map((x) => x.id)).toEqual(["u2", "u2b"]);
  });
  it("a cycle in the parent pointers ends the walk instead of looping", () => {
    const cycle = [m("x", "z", "user"), m("y", "x", "assistant"), m("z", "y", "user")];
    expect(pathTo(cycle, "z").map((x) => x.id)).toEqual(["x", "y", "z"]);
    const self = [m("s", "s", "user")];
    expect(pathTo(self, "s").map((x) => x.id)).toEqual(["s"]);
  });
});
