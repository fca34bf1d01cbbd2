import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { readSettings } from "../lib/settings.js";
import { resourcesOf, ROOT, synthStack } from "./synth.js";

// The other shape: a custom domain with its certificate, HTTPS from CloudFront to the ALB under a name of its own,
// the prefix list given, RDS for PostgreSQL, Graviton tasks. One synth for the file, cdk-nag included.
const context = {
  domainName: "chat.example.com",
  certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555",
  originDomainName: "origin.chat.example.com",
  originCertificateArn: "arn:aws:acm:us-west-2:111122223333:certificate/66666666-7777-8888-9999-000000000000",
  cloudFrontPrefixListId: "pl-82a045eb",
  database: "rds",
  cpuArchitecture: "arm64",
  minTasks: "3",
};
let template: Template;
beforeAll(() => {
  ({ template } = synthStack(context));
}, 120_000);

describe("HTTPS to the ALB, a custom domain, RDS, arm64", () => {
  it("listens on 443 with the origin certificate, admits the given prefix list only, and CloudFront verifies TLS to it", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", { Port: 443, Protocol: "HTTPS", Certificates: [{ CertificateArn: context.originCertificateArn }] });
    const ingress = resourcesOf(template, "AWS::EC2::SecurityGroupIngress").filter(([, r]) => r.Properties.SourcePrefixListId);
    expect(ingress.map(([, r]) => [r.Properties.SourcePrefixListId, r.Properties.FromPort])).toEqual([["pl-82a045eb", 443]]);
    expect(resourcesOf(template, "Custom::AWS")).toEqual([]);
    const distribution = resourcesOf(template, "AWS::CloudFront::Distribution")[0]![1].Properties.DistributionConfig;
    expect(distribution.Origins[0]).toMatchObject({ DomainName: "origin.chat.example.com", CustomOriginConfig: { OriginProtocolPolicy: "https-only", OriginSSLProtocols: ["TLSv1.2"] } });
    expect(distribution.Aliases).toEqual(["chat.example.com"]);
    expect(distribution.ViewerCertificate).toMatchObject({ AcmCertificateArn: context.certificateArn, MinimumProtocolVersion: "TLSv1.2_2021", SslSupportMethod: "sni-only" });
  });

  it("runs the app at the custom domain, answering for the origin's name", () => {
    const env = Object.fromEntries(resourcesOf(template, "AWS::ECS::TaskDefinition")[0]![1].Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
    expect(env).toMatchObject({ PUBLIC_URL: "https://chat.example.com", ALLOWED_HOSTS: "origin.chat.example.com" });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", { CallbackURLs: ["https://chat.example.com/auth/callback"], LogoutURLs: ["https://chat.example.com/"] });
  });

  it("uses RDS for PostgreSQL Multi-AZ, encrypted and snapshotted, and Graviton tasks", () => {
    expect(resourcesOf(template, "AWS::RDS::DBCluster")).toEqual([]);
    const [, instance] = resourcesOf(template, "AWS::RDS::DBInstance")[0]!;
    expect(instance.Properties).toMatchObject({ Engine: "postgres", MultiAZ: true, StorageEncrypted: true, DeletionProtection: true });
    expect(instance.DeletionPolicy).toBe("Snapshot");
    template.hasResourceProperties("AWS::ECS::TaskDefinition", { RuntimePlatform: { CpuArchitecture: "ARM64" } });
    template.hasResourceProperties("AWS::ECS::Service", { DesiredCount: 3 });
  });
});

describe("bad input fails synth with a clear message", () => {
  it("a bad config.json stops `cdk synth` with the same line as the server's start", () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-bad-config-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ bedrock_models: { Sonnet: { id: "anthropic.x", cost: { input_1k_price: "cheap", output_1k_price: 0.01 } } } }));
    const run = (script: string) => spawnSync("node", ["--import", "tsx", script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CONFIG_PATH: file, PORT: "0" }, timeout: 60_000 });
    const synth = run("infra/bin/app.ts");
    const server = run("src/server/main.ts");
    expect(synth.status).toBe(1);
    expect(server.status).toBe(1);
    expect(synth.stderr).toMatch(/^error: .*config\.json: bedrock_models\["Sonnet"\]\.cost\.input_1k_price: expected .*found string "cheap"/m);
    expect(synth.stderr.trim()).toBe(server.stderr.trim());
  }, 120_000);

  it("context values are checked", () => {
    const settings = (ctx: Record<string, string>) => () => readSettings(new App({ context: ctx }).node);
    expect(settings({ domainName: "chat.example.com" })).toThrow(/domainName and certificateArn go together/);
    expect(settings({ database: "mysql" })).toThrow(/must be aurora or rds/);
    expect(settings({ minTasks: "1" })).toThrow(/minTasks="1": must be a whole number of at least 2/);
    expect(settings({ cloudFrontPrefixListId: "sg-123" })).toThrow(/must be a prefix list id/);
  });
});
