import { describe, expect, it } from "vitest";
import { redactQuery, serializeRequest } from "./request-log.js";

describe("redactQuery", () => {
  it.each([
    ["/api/threads", "/api/threads"],
    ["/api/threads?q=penguins", "/api/threads?q=[redacted]"],
    ["/api/threads?q=", "/api/threads?q=[redacted]"],
    ["/api/threads?q=a%20b&q=c", "/api/threads?q=[redacted]&q=[redacted]"],
    ["/auth/callback?code=abc&state=xyz", "/auth/callback?code=[redacted]&state=[redacted]"],
    ["/setup?token=s3cret", "/setup?token=[redacted]"],
    ["/api/admin/usage?days=30&", "/api/admin/usage?days=[redacted]&"],
    ["/x?flag", "/x?flag=[redacted]"],
    ["/x?", "/x?"],
    ["/x?my%20secret%20words=1", "/x?[redacted]=[redacted]"],
    ["/x?a=1=2?b=3", "/x?a=[redacted]"],
  ])("logs %j as %j", (url, logged) => {
    expect(redactQuery(url)).toBe(logged);
  });
});

describe("serializeRequest", () => {
  it("logs the method, the redacted URL, the Host header and the client address", () => {
    const logged = serializeRequest({ method: "GET", url: "/api/threads?q=penguins", headers: { host: "127.0.0.1:8080" }, ip: "198.51.100.7", socket: { remoteAddress: "127.0.0.1", remotePort: 5000 } });
    expect(logged).toEqual({ method: "GET", url: "/api/threads?q=[redacted]", host: "127.0.0.1:8080", remoteAddress: "198.51.100.7", remotePort: 5000 });
  });
});
