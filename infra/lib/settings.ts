import type { Node } from "constructs";

/** Deployment choices given as CDK context (`npm run cdk -- deploy -c name=value`), validated once. */
export interface DeploySettings {
  /** A custom domain for CloudFront and its ACM certificate (in us-east-1). */
  domainName?: string;
  certificateArn?: string;
  /** HTTPS from CloudFront to the ALB: a name for the ALB (you point it at the ALB) and a regional ACM certificate for it. */
  originDomainName?: string;
  originCertificateArn?: string;
  /** The region's CloudFront origin-facing managed prefix list (pl-...); otherwise looked up at deploy time. */
  cloudFrontPrefixListId?: string;
  /** aurora (Aurora Serverless v2 PostgreSQL, default) or rds (RDS for PostgreSQL, Multi-AZ). */
  database: "aurora" | "rds";
  /** CPU architecture of the image and the tasks: x86_64 (default) or arm64 (Graviton). */
  cpuArchitecture: "x86_64" | "arm64";
  minTasks: number;
  maxTasks: number;
  logRetentionDays: number;
}

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

const CONTEXT_KEYS = ["domainName", "certificateArn", "originDomainName", "originCertificateArn", "cloudFrontPrefixListId", "database", "cpuArchitecture", "minTasks", "maxTasks", "logRetentionDays"] as const;

export function readSettings(node: Node): DeploySettings {
  const get = (key: (typeof CONTEXT_KEYS)[number]): string | undefined => {
    const value = node.tryGetContext(key) as unknown;
    return value === undefined || value === null || value === "" ? undefined : String(value);
  };
  const number = (key: (typeof CONTEXT_KEYS)[number], fallback: number, min: number): number => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new SettingsError(`context ${key}=${JSON.stringify(raw)}: must be a whole number of at least ${min}`);
    return value;
  };
  const pair = (a: (typeof CONTEXT_KEYS)[number], b: (typeof CONTEXT_KEYS)[number]) => {
    if ((get(a) === undefined) !== (get(b) === undefined)) throw new SettingsError(`context ${a} and ${b} go together: give both or neither`);
  };
  pair("domainName", "certificateArn");
  pair("originDomainName", "originCertificateArn");
  const database = get("database") ?? "aurora";
  if (database !== "aurora" && database !== "rds") throw new SettingsError(`context database=${JSON.stringify(database)}: must be aurora or rds`);
  const cpuArchitecture = get("cpuArchitecture") ?? "x86_64";
  if (cpuArchitecture !== "x86_64" && cpuArchitecture !== "arm64") throw new SettingsError(`context cpuArchitecture=${JSON.stringify(cpuArchitecture)}: must be x86_64 or arm64`);
  const prefixList = get("cloudFrontPrefixListId");
  if (prefixList !== undefined && !/^pl-[0-9a-f]{8,17}$/.test(prefixList)) throw new SettingsError(`context cloudFrontPrefixListId=${JSON.stringify(prefixList)}: must be a prefix list id such as pl-82a045eb`);
  const minTasks = number("minTasks", 2, 2);
  const maxTasks = number("maxTasks", 10, minTasks);
  const optional = (key: (typeof CONTEXT_KEYS)[number]) => (get(key) !== undefined ? { [key]: get(key)! } : {});
  return {
    ...optional("domainName"),
    ...optional("certificateArn"),
    ...optional("originDomainName"),
    ...optional("originCertificateArn"),
    ...optional("cloudFrontPrefixListId"),
    database,
    cpuArchitecture,
    minTasks,
    maxTasks,
    logRetentionDays: number("logRetentionDays", 90, 1),
  };
}
