import type { AuthMode } from "../auth/mode.js";
import { inPrefix, ipv4At, parseIp, type ParsedIp } from "./ip-address.js";

/**
 * Where an address leads, for the outgoing-HTTP guard of MCP (SSRF). Ranges from the IANA special-purpose address registries
 * (https://www.iana.org/assignments/iana-ipv4-special-registry, https://www.iana.org/assignments/iana-ipv6-special-registry).
 */
export type AddressKind =
  | "public"
  | "loopback"
  | "link-local"
  | "private"
  | "cgnat"
  | "multicast"
  | "unspecified"
  /** Documentation, benchmarking, deprecated and not-yet-allocated space: nothing a server should be on. */
  | "reserved"
  /** A cloud provider's instance metadata or credentials endpoint: reaching it from the server can leak the server's credentials. */
  | "metadata";

export interface AddressClass {
  /** The address as given. */
  readonly address: string;
  readonly family: 4 | 6;
  readonly kind: AddressKind;
  /** The block it falls in, such as "10.0.0.0/8", or the single metadata address. */
  readonly range: string;
  /** What the block is, in words, such as "RFC 1918 private network". */
  readonly label: string;
  /** For an IPv6 form that carries an IPv4 address (mapped, compatible, NAT64, 6to4): that address; the class is its class. */
  readonly embeddedIPv4?: string;
  /** How the IPv4 address is carried, such as "IPv4-mapped IPv6". */
  readonly embedding?: string;
}

export interface AddressPolicy {
  /** Loopback, link-local, private, CGNAT and reserved addresses may be reached (the user's own machine or network). */
  readonly allowPrivate: boolean;
  /** Cloud metadata addresses may be reached. */
  readonly allowMetadata: boolean;
}

export type AddressDecision =
  | { readonly allowed: true; readonly address: AddressClass }
  | { readonly allowed: false; readonly address: AddressClass | undefined; readonly reason: string };

/** What opens the guard, named in each refusal that it can lift. */
export const ALLOW_PRIVATE_HINT = "set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it";

/**
 * The policy for outgoing MCP traffic (issue 11). On a shared server (`local`, `oidc`) only public addresses, unless the admin
 * marked the server as being on a private network; in `none` and the CLI the machine is the user's own, so private addresses
 * are allowed; metadata addresses stay refused everywhere unless MCP_ALLOW_PRIVATE_NETWORKS=1, which opens everything.
 */
export function networkPolicy(options: { mode: AuthMode | "cli"; allowPrivateNetworks: boolean; serverMarkedPrivate?: boolean }): AddressPolicy {
  if (options.allowPrivateNetworks) return { allowPrivate: true, allowMetadata: true };
  const ownMachine = options.mode === "none" || options.mode === "cli";
  return { allowPrivate: ownMachine || options.serverMarkedPrivate === true, allowMetadata: false };
}

/** Classifies an IP address (see `parseIp` for the forms read); undefined when it is not an IP address. */
export function classifyAddress(address: string): AddressClass | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  const found = ip.family === 4 ? classifyIPv4(ip) : classifyIPv6(ip);
  return { address: address.trim(), family: ip.family, ...found };
}

/**
 * Whether the policy lets a connection go to `address`, and if not, why in words a user can act on:
 * "refused: 10.0.0.5 is a private address; set MCP_ALLOW_PRIVATE_NETWORKS=1 to allow it". With `host` (the name that resolved
 * to the address) the reason names it: "refused: intranet.example resolves to 10.0.0.5, which is a private address; ...".
 */
export function decide(address: string, policy: AddressPolicy, host?: string): AddressDecision {
  const found = classifyAddress(address);
  const subject = (text: string) => (host === undefined ? `${text} is` : `${host} resolves to ${text}, which is`);
  if (!found) return { allowed: false, address: undefined, reason: `refused: ${subject(JSON.stringify(address))} not an IP address` };
  const refuse = (reason: string): AddressDecision => ({ allowed: false, address: found, reason: `refused: ${subject(named(found))} ${reason}` });
  switch (found.kind) {
    case "public":
      return { allowed: true, address: found };
    case "metadata":
      return policy.allowMetadata ? { allowed: true, address: found } : refuse(`a cloud metadata address (${found.label}); ${ALLOW_PRIVATE_HINT}`);
    case "reserved":
      return policy.allowPrivate ? { allowed: true, address: found } : refuse(`a reserved address (${found.label}); ${ALLOW_PRIVATE_HINT}`);
    case "loopback":
    case "link-local":
    case "private":
    case "cgnat":
      return policy.allowPrivate ? { allowed: true, address: found } : refuse(`${ARTICLE[found.kind]}; ${ALLOW_PRIVATE_HINT}`);
    case "multicast":
      return refuse(`a multicast address (${found.label}), which no HTTP server answers on`);
    case "unspecified":
      return refuse(`the unspecified address (${found.label}), not the address of a server; use 127.0.0.1 for this machine`);
    default: {
      const unknown: never = found.kind;
      throw new Error(`unknown address kind ${String(unknown)}`);
    }
  }
}

const ARTICLE: Record<"loopback" | "link-local" | "private" | "cgnat", string> = {
  loopback: "a loopback address",
  "link-local": "a link-local address",
  private: "a private address",
  cgnat: "a shared (carrier-grade NAT) address",
};

function named(found: AddressClass): string {
  return found.embeddedIPv4 ? `${found.address} (${found.embedding} form of ${found.embeddedIPv4})` : found.address;
}

type Found = Omit<AddressClass, "address" | "family">;

interface Block {
  readonly prefix: string;
  readonly bits: number;
  readonly kind: AddressKind;
  readonly label: string;
}

/**
 * Metadata and credentials endpoints, checked before the ranges they sit in. Sources:
 * - 169.254.169.254, fd00:ec2::254: Amazon EC2 instance metadata (IMDS), IPv6 on Nitro instances
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html); the same IPv4 address serves
 *   Azure IMDS (https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service), Google Compute Engine
 *   (https://cloud.google.com/compute/docs/metadata/querying-metadata), OCI, DigitalOcean, Hetzner, Linode and OpenStack.
 * - 169.254.170.2: Amazon ECS task metadata and task-role credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html); this app's own Fargate deployment has it.
 * - 169.254.170.23, fd00:ec2::23: Amazon EKS Pod Identity Agent credentials
 *   (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html).
 * - fd20:ce::254: Google Compute Engine metadata server over IPv6 (IPv6-only instances, same Google page as above).
 * - 100.100.100.200: Alibaba Cloud ECS metadata (https://www.alibabacloud.com/help/en/ecs/user-guide/overview-of-ecs-instance-metadata;
 *   cloud-init's AliYun datasource).
 * - 169.254.0.23: Tencent Cloud CVM metadata, metadata.tencentyun.com (https://www.tencentcloud.com/document/product/213/4934).
 * - 168.63.129.16: Azure platform address (WireServer, VM agent and extension configuration), a public address inside every
 *   Azure VNet (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).
 * - 192.0.0.192: Oracle Cloud (Classic) metadata, as listed by PayloadsAllTheThings "SSRF URL for Oracle Cloud"
 *   (https://github.com/swisskyrepo/PayloadsAllTheThings, Server Side Request Forgery/SSRF-Cloud-Instances.md).
 * - fe80::a9fe:a9fe: OpenStack metadata over IPv6 (https://docs.openstack.org/nova/latest/user/metadata.html).
 * - fd00:a9fe:a9fe::1: Akamai (Linode) metadata service over IPv6
 *   (https://techdocs.akamai.com/cloud-computing/docs/overview-of-the-metadata-service).
 * Host names such as metadata.google.internal resolve to these, and names are checked by what they resolve to.
 */
const METADATA: ReadonlyMap<string, string> = new Map([
  ["169.254.169.254", "instance metadata of AWS, Azure, Google Cloud, OCI and others"],
  ["169.254.170.2", "Amazon ECS task metadata and credentials"],
  ["169.254.170.23", "Amazon EKS Pod Identity credentials"],
  ["169.254.0.23", "Tencent Cloud metadata"],
  ["100.100.100.200", "Alibaba Cloud metadata"],
  ["168.63.129.16", "Azure platform WireServer"],
  ["192.0.0.192", "Oracle Cloud metadata"],
  ["fd00:ec2::254", "Amazon EC2 instance metadata over IPv6"],
  ["fd00:ec2::23", "Amazon EKS Pod Identity credentials over IPv6"],
  ["fd20:ce::254", "Google Compute Engine metadata over IPv6"],
  ["fe80::a9fe:a9fe", "OpenStack metadata over IPv6"],
  ["fd00:a9fe:a9fe::1", "Akamai (Linode) metadata over IPv6"],
]);

/** IANA IPv4 special-purpose registry; the first matching block wins, anything else is public. */
const IPV4_BLOCKS: readonly Block[] = [
  { prefix: "0.0.0.0", bits: 8, kind: "unspecified", label: 'RFC 1122 "this network"' },
  { prefix: "10.0.0.0", bits: 8, kind: "private", label: "RFC 1918 private network" },
  { prefix: "100.64.0.0", bits: 10, kind: "cgnat", label: "RFC 6598 shared address space" },
  { prefix: "127.0.0.0", bits: 8, kind: "loopback", label: "RFC 1122 loopback" },
  { prefix: "169.254.0.0", bits: 16, kind: "link-local", label: "RFC 3927 link-local" },
  { prefix: "172.16.0.0", bits: 12, kind: "private", label: "RFC 1918 private network" },
  { prefix: "192.0.0.0", bits: 24, kind: "reserved", label: "RFC 6890 IETF protocol assignments" },
  { prefix: "192.0.2.0", bits: 24, kind: "reserved", label: "RFC 5737 documentation, TEST-NET-1" },
  { prefix: "192.88.99.0", bits: 24, kind: "reserved", label: "RFC 7526 deprecated 6to4 relay anycast" },
  { prefix: "192.168.0.0", bits: 16, kind: "private", label: "RFC 1918 private network" },
  { prefix: "198.18.0.0", bits: 15, kind: "reserved", label: "RFC 2544 benchmarking" },
  { prefix: "198.51.100.0", bits: 24, kind: "reserved", label: "RFC 5737 documentation, TEST-NET-2" },
  { prefix: "203.0.113.0", bits: 24, kind: "reserved", label: "RFC 5737 documentation, TEST-NET-3" },
  { prefix: "224.0.0.0", bits: 4, kind: "multicast", label: "RFC 5771 multicast" },
  { prefix: "255.255.255.255", bits: 32, kind: "reserved", label: "RFC 919 limited broadcast" },
  { prefix: "240.0.0.0", bits: 4, kind: "reserved", label: "RFC 1112 reserved" },
];

/** IANA IPv6 special-purpose registry, after the forms that carry IPv4 (handled in classifyIPv6); anything else in 2000::/3 is public. */
const IPV6_BLOCKS: readonly Block[] = [
  { prefix: "::", bits: 128, kind: "unspecified", label: "RFC 4291 unspecified" },
  { prefix: "::1", bits: 128, kind: "loopback", label: "RFC 4291 loopback" },
  { prefix: "64:ff9b:1::", bits: 48, kind: "private", label: "RFC 8215 local-use IPv4/IPv6 translation" },
  { prefix: "100::", bits: 64, kind: "reserved", label: "RFC 6666 discard-only" },
  { prefix: "100:0:0:1::", bits: 64, kind: "reserved", label: "RFC 9780 dummy prefix" },
  { prefix: "2001::", bits: 32, kind: "reserved", label: "RFC 4380 Teredo" },
  { prefix: "2001:2::", bits: 48, kind: "reserved", label: "RFC 5180 benchmarking" },
  { prefix: "2001:10::", bits: 28, kind: "reserved", label: "RFC 4843 deprecated ORCHID" },
  { prefix: "2001:db8::", bits: 32, kind: "reserved", label: "RFC 3849 documentation" },
  { prefix: "3fff::", bits: 20, kind: "reserved", label: "RFC 9637 documentation" },
  { prefix: "5f00::", bits: 16, kind: "reserved", label: "RFC 9602 segment routing SIDs" },
  { prefix: "fc00::", bits: 7, kind: "private", label: "RFC 4193 unique local address" },
  { prefix: "fe80::", bits: 10, kind: "link-local", label: "RFC 4291 link-local" },
  { prefix: "fec0::", bits: 10, kind: "private", label: "RFC 3879 deprecated site-local" },
  { prefix: "ff00::", bits: 8, kind: "multicast", label: "RFC 4291 multicast" },
];

const parsedBlocks = (blocks: readonly Block[]) =>
  blocks.map((block) => ({ ...block, bytes: (parseIp(block.prefix) as ParsedIp).bytes, range: `${block.prefix}/${block.bits}` }));
const IPV4 = parsedBlocks(IPV4_BLOCKS);
const IPV6 = parsedBlocks(IPV6_BLOCKS);
const GLOBAL_UNICAST = (parseIp("2000::") as ParsedIp).bytes;

/** IPv6 prefixes that carry an IPv4 address in their last 32 bits (or bits 16-48 for 6to4) and what that means. */
const EMBEDDINGS = [
  // RFC 4291 §2.5.5.2: a dual-stack socket sends to the IPv4 address itself, so the IPv4 class is the class, public included.
  { prefix: "::ffff:0:0", bits: 96, offset: 12, name: "IPv4-mapped IPv6", publicMeans: "public" },
  // RFC 6052 well-known NAT64 prefix: a translator forwards to the IPv4 address. Public stays public (IPv6-only networks with
  // DNS64 reach every IPv4 host this way); a private or metadata IPv4 inside it keeps its class, so a permissive translator
  // cannot be used to reach one.
  { prefix: "64:ff9b::", bits: 96, offset: 12, name: "NAT64", publicMeans: "public" },
  // RFC 2765 / 6145 SIIT IPv4-translated addresses.
  { prefix: "::ffff:0:0:0", bits: 96, offset: 12, name: "IPv4-translated IPv6", publicMeans: "reserved" },
  // RFC 3056 6to4: a 6to4 router may deliver to the IPv4 address; public embedded addresses are ordinary 6to4 sites.
  { prefix: "2002::", bits: 16, offset: 2, name: "6to4", publicMeans: "public" },
  // RFC 4291 §2.5.5.1 deprecated IPv4-compatible IPv6 (:: and ::1 excepted, below): some stacks still send it to the IPv4 address.
  { prefix: "::", bits: 96, offset: 12, name: "IPv4-compatible IPv6", publicMeans: "reserved" },
] as const;
const EMBEDDING_PREFIXES = EMBEDDINGS.map((embedding) => ({ ...embedding, bytes: (parseIp(embedding.prefix) as ParsedIp).bytes }));

function classifyIPv4(ip: ParsedIp): Found {
  const metadata = METADATA.get(ip.canonical);
  if (metadata) return { kind: "metadata", range: `${ip.canonical}/32`, label: metadata };
  const block = IPV4.find((candidate) => inPrefix(ip.bytes, candidate.bytes, candidate.bits));
  if (block) return { kind: block.kind, range: block.range, label: block.label };
  return { kind: "public", range: "0.0.0.0/0", label: "public internet" };
}

function classifyIPv6(ip: ParsedIp): Found {
  const metadata = METADATA.get(ip.canonical);
  if (metadata) return { kind: "metadata", range: `${ip.canonical}/128`, label: metadata };
  if (ip.canonical !== "::" && ip.canonical !== "::1") {
    const embedding = EMBEDDING_PREFIXES.find((candidate) => inPrefix(ip.bytes, candidate.bytes, candidate.bits));
    if (embedding) {
      const inner = ipv4At(ip.bytes, embedding.offset);
      const found = classifyIPv4(inner);
      const carried = { embeddedIPv4: inner.canonical, embedding: embedding.name };
      if (found.kind !== "public") return { ...found, ...carried };
      return embedding.publicMeans === "public"
        ? { ...found, ...carried }
        : { kind: "reserved", range: `${embedding.prefix}/${embedding.bits}`, label: `${embedding.name}, deprecated`, ...carried };
    }
  }
  const block = IPV6.find((candidate) => inPrefix(ip.bytes, candidate.bytes, candidate.bits));
  if (block) return { kind: block.kind, range: block.range, label: block.label };
  if (!inPrefix(ip.bytes, GLOBAL_UNICAST, 3)) return { kind: "reserved", range: "outside 2000::/3", label: "RFC 4291 unallocated IPv6 space" };
  return { kind: "public", range: "2000::/3", label: "public internet" };
}
