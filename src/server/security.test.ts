import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security.js";

describe("securityHeaders (computed once at start)", () => {
  it("collects helmet's headers for the options: the policy as written, nosniff, no HSTS over http", () => {
    const headers = securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], upgradeInsecureRequests: null } }, hsts: false });
    expect(headers["content-security-policy"]).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    expect(headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["strict-transport-security"]).toBeUndefined();
  });

  it("adds HSTS and upgraded requests when the public URL is https", () => {
    const headers = securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], upgradeInsecureRequests: [] } }, hsts: { maxAge: 31536000 } });
    expect(headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(headers["content-security-policy"]).toContain("upgrade-insecure-requests");
  });

  it("refuses a policy helmet refuses, at start rather than on a request", () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["self"] } } })).toThrow(/self/);
  });
});
