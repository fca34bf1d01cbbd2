import { describe, expect, it } from "vitest";
import type { Message } from "../../api/types.js";
import { activePath, versionsOf } from "./tree.js";

const m = (id: string, parentId: string | null, role: "user" | "assistant"): Message => ({
  id,
  threadId: "t",
  parentId,
  role,
  parts: [{ type: "text", text: id }],
  status: "complete",
  profile: null,
  modelId: null,
  usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
  cost: null,
  error: null,
  meta: {},
  createdAt: id,
});

describe("branches", () => {
  const all = [m("u1", null, "user"), m("a1", "u1", "assistant"), m("a1b", "u1", "assistant"), m("u2", "a1", "user"), m("u2b", "a1", "user"), m("a2", "u2b", "assistant")];
  it("follows parent pointers from the active leaf", () => {
    expect(activePath(all, "a2").map((x) => x.id)).toEqual(["u1", "a1", "u2b", "a2"]);
    expect(activePath(all, "a1b").map((x) => x.id)).toEqual(["u1", "a1b"]);
  });
  it("lists the versions of a message", () => {
    expect(versionsOf(all, all[1]!).map((x) => x.id)).toEqual(["a1", "a1b"]);
    expect(versionsOf(all, all[4]!).map((x) => x.id)).toEqual(["u2", "u2b"]);
  });
});
