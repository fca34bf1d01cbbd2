import { describe, expect, it } from "vitest";
import { AuthConfigError, isLoopbackHost, resolveAuthMode } from "./mode.js";

describe("sign-in mode", () => {
  it("defaults to none on a loopback HOST and to local elsewhere", () => {
    expect(resolveAuthMode(undefined, "127.0.0.1")).toBe("none");
    expect(resolveAuthMode(undefined, "localhost")).toBe("none");
    expect(resolveAuthMode(undefined, "::1")).toBe("none");
    expect(resolveAuthMode(undefined, "0.0.0.0")).toBe("local");
    expect(resolveAuthMode(undefined, "10.0.0.5")).toBe("local");
    expect(resolveAuthMode("oidc", "0.0.0.0")).toBe("oidc");
  });

  it("refuses none on an address other machines can reach, saying what to do", () => {
    expect(() => resolveAuthMode("none", "0.0.0.0")).toThrow(AuthConfigError);
    expect(() => resolveAuthMode("none", "0.0.0.0")).toThrow(/only allowed when HOST is a loopback address.*AUTH_MODE=local/);
  });

  it("knows loopback addresses", () => {
    expect(["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]"].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(["0.0.0.0", "192.168.1.2", "::", "example.com", "localhost.example.com"].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });
});
