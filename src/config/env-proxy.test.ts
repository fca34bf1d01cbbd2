import { describe, expect, it } from "vitest";
import { EnvError, readServerEnv, trustedProxies } from "./env.js";

/** The EnvError message readServerEnv throws for these variables. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    readServerEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).message;
  }
  throw new Error(`expected an EnvError for ${JSON.stringify(env)}`);
}

describe("TRUST_PROXY (removed)", () => {
  it.each(["true", "false", "1", "yes"])("refuses TRUST_PROXY=%s at start and says what to set instead", (value) => {
    const message = refusal({ TRUST_PROXY: value });
    expect(message).toMatch(/^TRUST_PROXY is no longer supported: it trusted any X-Forwarded-For a client sends\./);
    expect(message).toMatch(/Set TRUST_PROXY_HOPS to the number of proxies in front of the app \(1 behind one load balancer, 2 behind CloudFront and an ALB\)/);
    expect(message).toMatch(/or TRUSTED_PROXIES to their address ranges/);
  });

  it("refuses TRUST_PROXY even next to one of the settings that replace it", () => {
    expect(refusal({ TRUST_PROXY: "true", TRUST_PROXY_HOPS: "1" })).toMatch(/TRUST_PROXY is no longer supported/);
  });

  it("trusts no proxy when none of the settings is given", () => {
    expect(trustedProxies(readServerEnv({}))).toBeUndefined();
  });
});

describe("TRUST_PROXY_HOPS", () => {
  it.each([
    ["1", 1],
    ["2", 2],
    [" 10 ", 10],
  ])("reads %j as %d proxies", (value, hops) => {
    expect(trustedProxies(readServerEnv({ TRUST_PROXY_HOPS: value }))).toBe(hops);
  });

  it.each(["0", "11", "1.5", "-1", "true", "two", ""])("refuses %j with what it must be", (value) => {
    const message = refusal({ TRUST_PROXY_HOPS: value });
    expect(message).toMatch(/^invalid environment: TRUST_PROXY_HOPS=/);
    expect(message).toMatch(/number of proxies|at least 1|at most 10/);
  });
});

describe("TRUSTED_PROXIES", () => {
  it("reads a comma-separated list of addresses and CIDR ranges, IPv4 and IPv6", () => {
    expect(trustedProxies(readServerEnv({ TRUSTED_PROXIES: "10.0.0.0/8, 172.16.0.0/12,192.168.1.10, fd00::/8, ::1 ," }))).toEqual([
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.1.10",
      "fd00::/8",
      "::1",
    ]);
  });

  it.each([
    ["10.0.0.0/33", '"10.0.0.0/33"'],
    ["10.0.0.0/0", '"10.0.0.0/0"'],
    ["fd00::/129", '"fd00::/129"'],
    ["10.0.0.0/8, proxy.internal", '"proxy.internal"'],
    ["10.0.0/8", '"10.0.0/8"'],
    ["10.0.0.0/8/8", '"10.0.0.0/8/8"'],
    ["10.0.0.0/x", '"10.0.0.0/x"'],
    ["fe80::1%eth0", '"fe80::1%eth0"'],
  ])("refuses %j and names the wrong entry", (value, named) => {
    const message = refusal({ TRUSTED_PROXIES: value });
    expect(message).toMatch(/^invalid environment: TRUSTED_PROXIES=/);
    expect(message).toContain(`${named} must be IP addresses or CIDR ranges, such as 10.0.0.0/8`);
  });

  it("refuses a list without any address", () => {
    expect(refusal({ TRUSTED_PROXIES: " , " })).toMatch(/TRUSTED_PROXIES=" , ": lists no address/);
  });

  it("refuses both settings at once", () => {
    expect(refusal({ TRUST_PROXY_HOPS: "1", TRUSTED_PROXIES: "10.0.0.0/8" })).toMatch(/TRUST_PROXY_HOPS and TRUSTED_PROXIES are both set: set only one/);
  });
});
