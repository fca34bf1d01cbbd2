import { describe, expect, it } from "vitest";
import { classifyAddress, decide, networkPolicy, type AddressKind, type AddressPolicy } from "./address-policy.js";
import { parseIp } from "./ip-address.js";

const shared: AddressPolicy = { allowPrivate: false, allowMetadata: false };
const ownMachine: AddressPolicy = { allowPrivate: true, allowMetadata: false };
const everything: AddressPolicy = { allowPrivate: true, allowMetadata: true };

const kind = (address: string): AddressKind | undefined => classifyAddress(address)?.kind;

const CLASSES: Record<AddressKind, readonly string[]> = {
  public: ["8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "169.253.255.255", "223.255.255.255", "11.0.0.0", "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:82a::200e", "2001:20::1", "64:ff9b::808:808", "::ffff:8.8.8.8", "2002:808:808::1"],
  loopback: ["127.0.0.1", "127.255.255.254", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::ffff:127.0.0.1", "::ffff:7f00:1", "[::1]"],
  "link-local": ["169.254.0.1", "169.254.255.254", "169.254.169.253", "fe80::1", "fe80::1%eth0", "febf:ffff::1", "::ffff:169.254.1.1"],
  private: ["10.0.0.0", "10.0.0.5", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255", "fc00::1", "fd12:3456::1", "fdff:ffff::1", "fec0::1", "64:ff9b:1::a00:1", "::ffff:10.0.0.1", "::ffff:192.168.1.1"],
  cgnat: ["100.64.0.0", "100.64.0.1", "100.127.255.255", "::ffff:100.64.0.1"],
  multicast: ["224.0.0.1", "239.255.255.250", "ff02::1", "ff05::1:3", "::ffff:224.0.0.251"],
  unspecified: ["0.0.0.0", "0.1.2.3", "::", "0:0:0:0:0:0:0:0", "::ffff:0.0.0.0"],
  reserved: ["192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "198.19.255.255", "192.0.0.8", "192.88.99.1", "240.0.0.1", "255.255.255.255", "2001:db8::1", "3fff::1", "2001::1", "2001:2::1", "2001:10::1", "100::1", "5f00::1", "4000::1", "::8.8.8.8", "::ffff:0:8.8.8.8"],
  metadata: ["169.254.169.254", "169.254.170.2", "169.254.170.23", "169.254.0.23", "100.100.100.200", "168.63.129.16", "192.0.0.192", "fd00:ec2::254", "fd00:ec2:0:0:0:0:0:254", "FD00:EC2::254", "fd00:ec2::23", "fd20:ce::254", "fe80::a9fe:a9fe", "fd00:a9fe:a9fe::1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe"],
};

describe("classifyAddress", () => {
  for (const [expected, addresses] of Object.entries(CLASSES)) {
    it.each(addresses)(`classifies %s as ${expected}`, (address) => {
      expect(kind(address)).toBe(expected);
    });
  }

  it("names the block and its source", () => {
    expect(classifyAddress("10.1.2.3")).toMatchObject({ family: 4, kind: "private", range: "10.0.0.0/8", label: "RFC 1918 private network" });
    expect(classifyAddress("192.0.2.1")).toMatchObject({ kind: "reserved", range: "192.0.2.0/24", label: "RFC 5737 documentation, TEST-NET-1" });
    expect(classifyAddress("fd00:ec2::254")).toMatchObject({ family: 6, kind: "metadata", range: "fd00:ec2::254/128" });
  });

  it("reads IPv4-mapped IPv6 in every spelling node:net accepts as the IPv4 address it carries", () => {
    for (const address of ["::ffff:10.0.0.1", "::FFFF:10.0.0.1", "::ffff:a00:1", "0:0:0:0:0:ffff:a00:1", "0000:0000:0000:0000:0000:ffff:0a00:0001", "0::ffff:10.0.0.1", "[::ffff:10.0.0.1]"]) {
      expect(classifyAddress(address), address).toMatchObject({ kind: "private", embeddedIPv4: "10.0.0.1", embedding: "IPv4-mapped IPv6" });
    }
  });

  it("reads IPv4-compatible, IPv4-translated, NAT64 and 6to4 forms by the IPv4 address inside", () => {
    expect(classifyAddress("::10.0.0.1")).toMatchObject({ kind: "private", embedding: "IPv4-compatible IPv6", embeddedIPv4: "10.0.0.1" });
    expect(classifyAddress("::127.0.0.1")).toMatchObject({ kind: "loopback", embeddedIPv4: "127.0.0.1" });
    expect(classifyAddress("::ffff:0:10.0.0.1")).toMatchObject({ kind: "private", embedding: "IPv4-translated IPv6" });
    expect(classifyAddress("64:ff9b::10.0.0.1")).toMatchObject({ kind: "private", embedding: "NAT64" });
    expect(classifyAddress("64:ff9b::a9fe:a9fe")).toMatchObject({ kind: "metadata", embeddedIPv4: "169.254.169.254" });
    expect(classifyAddress("64:ff9b::7f00:1")).toMatchObject({ kind: "loopback" });
    expect(classifyAddress("2002:a9fe:a9fe::1")).toMatchObject({ kind: "metadata", embedding: "6to4" });
    expect(classifyAddress("2002:c0a8:101::1")).toMatchObject({ kind: "private", embeddedIPv4: "192.168.1.1" });
    // A public IPv4 address stays public through NAT64 (IPv6-only networks reach the internet so) and 6to4.
    expect(classifyAddress("64:ff9b::8.8.8.8")).toMatchObject({ kind: "public", embeddedIPv4: "8.8.8.8" });
  });

  it("reads the legacy IPv4 forms getaddrinfo and URL parsers accept as the address they mean", () => {
    for (const address of ["127.1", "127.0.1", "0x7f.0.0.1", "0x7F000001", "0177.0.0.1", "2130706433", "127.000.000.001", "127.0.0.1."]) {
      expect(classifyAddress(address), address).toMatchObject({ kind: "loopback" });
    }
    expect(parseIp("0177.0.0.1")?.canonical).toBe("127.0.0.1");
    // A leading 0 is octal, as inet_aton and the WHATWG URL parser read it: 010.0.0.1 is 8.0.0.1, not 10.0.0.1.
    expect(parseIp("010.0.0.1")?.canonical).toBe("8.0.0.1");
    expect(new URL("http://010.0.0.1/").hostname).toBe("8.0.0.1");
    expect(kind("0xa9.0xfe.0xa9.0xfe")).toBe("metadata");
    expect(kind("0xa9fea9fe")).toBe("metadata");
    expect(parseIp("0x")?.canonical).toBe(new URL("http://0x/").hostname);
  });

  it("writes IPv6 in RFC 5952 form", () => {
    expect(parseIp("0000:0000:0000:0000:0000:ffff:0a00:0001")?.canonical).toBe("::ffff:a00:1");
    expect(parseIp("FD00:0EC2:0:0:0:0:0:0254")?.canonical).toBe("fd00:ec2::254");
    expect(parseIp("2001:db8:0:0:1:0:0:1")?.canonical).toBe("2001:db8::1:0:0:1");
    expect(parseIp("2001:db8::")?.canonical).toBe("2001:db8::");
    expect(parseIp("1:2:3:4:5:6:7:8")?.canonical).toBe("1:2:3:4:5:6:7:8");
    expect(parseIp("fe80::1%eth0")?.canonical).toBe("fe80::1");
  });

  it("is undefined for what is not an IP address", () => {
    for (const text of ["example.com", "localhost", "", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "::ffff:010.0.0.1", "00000::1", "[::1", "1.2.3.4 5", "0xg", "12345:6::"]) {
      expect(classifyAddress(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe("decide", () => {
  it("says why and how to allow it, in words", () => {
    expect(decide("10.0.0.5", shared)).toMatchObject({ allowed: false, reason: "refused: 10.0.0.5 is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it" });
    expect(decide("127.0.0.1", shared)).toMatchObject({ reason: "refused: 127.0.0.1 is a loopback address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it" });
    expect(decide("169.254.1.1", shared)).toMatchObject({ reason: "refused: 169.254.1.1 is a link-local address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it" });
    expect(decide("100.64.0.1", shared)).toMatchObject({ reason: "refused: 100.64.0.1 is a shared (carrier-grade NAT) address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it" });
    expect(decide("192.0.2.1", shared)).toMatchObject({ reason: "refused: 192.0.2.1 is a reserved address (RFC 5737 documentation, TEST-NET-1); set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it" });
    expect(decide("169.254.169.254", ownMachine)).toMatchObject({
      reason: "refused: 169.254.169.254 is a cloud metadata address (instance metadata of AWS, Azure, Google Cloud, OCI and others); set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it",
    });
    expect(decide("224.0.0.1", everything)).toMatchObject({ allowed: false, reason: "refused: 224.0.0.1 is a multicast address (RFC 5771 multicast), which no HTTP server answers on" });
    expect(decide("0.0.0.0", everything)).toMatchObject({ allowed: false, reason: expect.stringMatching(/^refused: 0\.0\.0\.0 is the unspecified address .*use 127\.0\.0\.1 for this machine$/) });
  });

  it("names the IPv4 address inside an IPv6 form", () => {
    expect(decide("::ffff:10.0.0.5", shared)).toMatchObject({
      allowed: false,
      reason: "refused: ::ffff:10.0.0.5 (IPv4-mapped IPv6 form of 10.0.0.5) is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it",
    });
    expect(decide("::ffff:a9fe:a9fe", ownMachine)).toMatchObject({ allowed: false, reason: expect.stringContaining("(IPv4-mapped IPv6 form of 169.254.169.254) is a cloud metadata address") });
  });

  it("names the host that resolved to the address", () => {
    expect(decide("10.0.0.5", shared, "intranet.example")).toMatchObject({
      reason: "refused: intranet.example resolves to 10.0.0.5, which is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it",
    });
  });

  it("refuses what is not an IP address", () => {
    expect(decide("example.com", everything)).toMatchObject({ allowed: false, address: undefined, reason: 'refused: "example.com" is not an IP address' });
  });

  const table: [AddressKind, string, shared: boolean, own: boolean, all: boolean][] = [
    ["public", "8.8.8.8", true, true, true],
    ["public", "2606:4700:4700::1111", true, true, true],
    ["loopback", "127.0.0.1", false, true, true],
    ["loopback", "::1", false, true, true],
    ["link-local", "fe80::1", false, true, true],
    ["private", "10.0.0.5", false, true, true],
    ["private", "fd12::1", false, true, true],
    ["cgnat", "100.64.0.1", false, true, true],
    ["reserved", "198.18.0.1", false, true, true],
    ["metadata", "169.254.169.254", false, false, true],
    ["metadata", "fd00:ec2::254", false, false, true],
    ["metadata", "100.100.100.200", false, false, true],
    ["multicast", "239.1.1.1", false, false, false],
    ["unspecified", "::", false, false, false],
  ];
  it.each(table)("%s %s: shared %s, own machine %s, everything allowed %s", (_kind, address, onShared, onOwn, onAll) => {
    expect(decide(address, shared).allowed).toBe(onShared);
    expect(decide(address, ownMachine).allowed).toBe(onOwn);
    expect(decide(address, everything).allowed).toBe(onAll);
  });

  it("keeps metadata refused while private addresses are allowed, and the other way round", () => {
    expect(decide("169.254.169.254", { allowPrivate: true, allowMetadata: false }).allowed).toBe(false);
    expect(decide("169.254.169.254", { allowPrivate: false, allowMetadata: true }).allowed).toBe(true);
    expect(decide("169.254.1.1", { allowPrivate: false, allowMetadata: true }).allowed).toBe(false);
  });
});

describe("networkPolicy", () => {
  it("refuses private networks on a shared server and allows them on the user's own machine; metadata only with MCP_ALLOW_PRIVATE_NETWORKS", () => {
    expect(networkPolicy({ mode: "local", allowPrivateNetworks: false })).toEqual(shared);
    expect(networkPolicy({ mode: "oidc", allowPrivateNetworks: false })).toEqual(shared);
    expect(networkPolicy({ mode: "oidc", allowPrivateNetworks: false, serverMarkedPrivate: true })).toEqual(ownMachine);
    expect(networkPolicy({ mode: "none", allowPrivateNetworks: false })).toEqual(ownMachine);
    expect(networkPolicy({ mode: "cli", allowPrivateNetworks: false })).toEqual(ownMachine);
    expect(networkPolicy({ mode: "local", allowPrivateNetworks: true })).toEqual(everything);
  });
});

describe("IPv4 inside IPv6", () => {
  it("gives every IPv4 address the same class in its mapped forms (a seeded sample of the whole space)", () => {
    let seed = 0x2545f491;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const specials = ["10.0.0.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "100.100.100.200", "224.0.0.1", "0.0.0.0", "255.255.255.255", "192.0.2.1"];
    const sample = [...specials, ...Array.from({ length: 2000 }, () => {
      const value = next();
      return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
    })];
    for (const v4 of sample) {
      const [a = 0, b = 0, c = 0, d = 0] = v4.split(".").map(Number);
      const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
      const expected = kind(v4);
      expect(kind(`::ffff:${v4}`), v4).toBe(expected);
      expect(kind(`::ffff:${hex}`), v4).toBe(expected);
      expect(kind(`0:0:0:0:0:ffff:${hex}`), v4).toBe(expected);
    }
  });
});
