import { readFileSync } from "node:fs";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/load.js";
import { bedrockResources } from "../lib/bedrock-access.js";
import { ORIGIN_READ_TIMEOUT_SECONDS, ORIGIN_SECRET_HEADER } from "../lib/timeouts.js";
import type { ChatStack } from "../lib/chat-stack.js";
import { render, resourcesOf, SAMPLE_CONFIG, synthStack } from "./synth.js";

// One synth for the file (the default deployment: CloudFront's domain, HTTP to the ALB, Aurora, prefix list looked
// up at deploy time); cdk-nag runs in it and throws on any finding that is not acknowledged.
let template: Template;
let stack: ChatStack;
beforeAll(() => {
  ({ template, stack } = synthStack());
}, 120_000);

const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
const only = (t: Template, type: string) => {
  const found = resourcesOf(t, type);
  expect(found, type).toHaveLength(1);
  return found[0]![1];
};
const container = () => only(template, "AWS::ECS::TaskDefinition").Properties.ContainerDefinitions[0];
const envOf = () => Object.fromEntries((container().Environment as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, e.Value]));

describe("cdk-nag", () => {
  it("AwsSolutions finds nothing unacknowledged, and every acknowledgement gives a reason", () => {
    // synth would have thrown otherwise; the acknowledgements are the stack's own list.
    expect(stack.acknowledged.length).toBeGreaterThan(0);
    for (const ack of stack.acknowledged) {
      expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length, ack.id).toBeGreaterThan(60);
    }
  });
});

describe("IAM: least privilege from config.json, with the app's own model resolution", () => {
  const invokeStatements = () =>
    resourcesOf(template, "AWS::IAM::Policy")
      .filter(([id]) => id.startsWith("TaskTaskRole"))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);

  it("invokes exactly the foundation models and inference profiles the sample config routes to", () => {
    const invoke = invokeStatements().filter((s) => [s.Action].flat().some((a: string) => a.startsWith("bedrock:Invoke")));
    for (const s of invoke) expect([s.Action].flat().sort()).toEqual(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]);
    const resources = invoke.flatMap((s) => [s.Resource].flat().map(render)).sort();
    expect(resources).toEqual(
      [
        // us. profile: the profile where the app calls it, the model in each listed region.
        "arn:aws:bedrock:us-west-2:ACCOUNT:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
        // eu. profile, its id already prefixed in config.json.
        "arn:aws:bedrock:eu-central-1:ACCOUNT:inference-profile/eu.amazon.nova-pro-v1:0",
        "arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-pro-v1:0",
        "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0",
        "arn:aws:bedrock:eu-west-3::foundation-model/amazon.nova-pro-v1:0",
        // global. profile: also the region-less model ARN global routing is authorized against.
        "arn:aws:bedrock:us-west-2:ACCOUNT:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        // A bare model id: the model in the region the app calls.
        "arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-1-70b-instruct-v1:0",
      ].sort(),
    );
  });

  it("computes the same ARNs as the app resolves model ids and regions (one resolution, src/config)", () => {
    const { config } = parseConfigText(readFileSync(SAMPLE_CONFIG, "utf8"), SAMPLE_CONFIG);
    const arns = bedrockResources(config, { partition: "aws", account: "ACCOUNT" });
    for (const profile of config.profiles.filter((p) => p.inferenceProfile)) {
      expect(arns.inferenceProfiles).toContain(`arn:aws:bedrock:${profile.region}:ACCOUNT:inference-profile/${profile.modelId}`);
    }
  });

  it("allows nothing else: the stack's prompts, its bucket prefix, and no wildcard action", () => {
    const statements = invokeStatements();
    const actions = [...new Set(statements.flatMap((s) => [s.Action].flat() as string[]))].sort();
    expect(actions).toEqual(
      ["bedrock:CreatePromptVersion", "bedrock:GetPrompt", "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:ListPrompts", "bedrock:UpdatePrompt", "s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"].sort(),
    );
    expect(actions.some((a) => a.includes("*"))).toBe(false);
    const prompts = statements.find((s) => [s.Action].flat().includes("bedrock:GetPrompt"))!;
    const promptIds = resourcesOf(template, "AWS::Bedrock::Prompt").map(([id]) => id);
    expect([prompts.Resource].flat().map(render).sort()).toEqual(promptIds.flatMap((id) => [`<${id}.Arn>`, `<${id}.Arn>:*`]).sort());
    const objects = statements.find((s) => [s.Action].flat().includes("s3:PutObject"))!;
    expect([objects.Resource].flat().map(render)).toEqual([`<${resourcesOf(template, "AWS::S3::Bucket").find(([id]) => id.startsWith("Attachments"))![0]}.Arn>/attachments/*`]);
    // Every resource is named: no "*" anywhere in the task's policy.
    expect(JSON.stringify(statements.map((s) => render(s.Resource)))).not.toMatch(/"\*"/);
  });
});

describe("the ALB only serves CloudFront", () => {
  it("admits CloudFront's origin-facing prefix list, looked up at deploy time, and no CIDR", () => {
    const ingress = resourcesOf(template, "AWS::EC2::SecurityGroupIngress").filter(([, r]) => render(r.Properties.GroupId) === `<${resourcesOf(template, "AWS::EC2::SecurityGroup").find(([id]) => id.startsWith("AlbSecurityGroup"))![0]}.GroupId>`);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]![1].Properties).toMatchObject({ IpProtocol: "tcp", FromPort: 80, ToPort: 80 });
    expect(render(ingress[0]![1].Properties.SourcePrefixListId)).toMatch(/^<CloudFrontPrefixList\w+\.PrefixLists\.0\.PrefixListId>$/);
    // No address range is admitted anywhere, only security groups and the prefix list.
    for (const [, rule] of resourcesOf(template, "AWS::EC2::SecurityGroupIngress")) expect(rule.Properties.CidrIp).toBeUndefined();
    for (const [, group] of resourcesOf(template, "AWS::EC2::SecurityGroup")) expect(group.Properties.SecurityGroupIngress ?? []).toEqual([]);
    expect(JSON.stringify(only(template, "Custom::AWS").Properties)).toMatch(/describeManagedPrefixLists.*com\.amazonaws\.global\.cloudfront\.origin-facing/);
  });

  it("answers 403 unless the request carries CloudFront's secret header, whose value is in Secrets Manager", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "403" } }],
    });
    const rule = only(template, "AWS::ElasticLoadBalancingV2::ListenerRule").Properties;
    expect(rule.Conditions).toHaveLength(1);
    expect(rule.Conditions[0].HttpHeaderConfig.HttpHeaderName).toBe(ORIGIN_SECRET_HEADER);
    const secret = resourcesOf(template, "AWS::SecretsManager::Secret").find(([id]) => id.startsWith("OriginSecret"))![0];
    expect(render(rule.Conditions[0].HttpHeaderConfig.Values)).toEqual([`{{resolve:secretsmanager:<${secret}>:SecretString:::}}`]);
    const origin = only(template, "AWS::CloudFront::Distribution").Properties.DistributionConfig.Origins[0];
    expect(render(origin.OriginCustomHeaders)).toEqual([{ HeaderName: ORIGIN_SECRET_HEADER, HeaderValue: `{{resolve:secretsmanager:<${secret}>:SecretString:::}}` }]);
  });
});

describe("CloudFront", () => {
  const config = () => only(template, "AWS::CloudFront::Distribution").Properties.DistributionConfig;

  it("never caches /api/* and /auth/*, forwards every method and every viewer header but Host, and does not compress the stream", () => {
    const behaviors = [config().DefaultCacheBehavior, ...config().CacheBehaviors.filter((b: any) => ["/api/*", "/auth/*"].includes(b.PathPattern))];
    expect(behaviors).toHaveLength(3);
    for (const b of behaviors) {
      expect(b).toMatchObject({ CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST, Compress: false, ViewerProtocolPolicy: "redirect-to-https" });
      expect([...b.AllowedMethods].sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
    }
  });

  it("caches the hashed assets and waits 60 s for the origin (15 s heartbeats keep a stream alive)", () => {
    expect(config().CacheBehaviors.find((b: any) => b.PathPattern === "/assets/*")).toMatchObject({ CachePolicyId: CACHING_OPTIMIZED, Compress: true });
    expect(config().Origins[0].CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: "http-only", OriginReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS });
    expect(config().Logging).toBeDefined();
  });
});

describe("the service", () => {
  it("runs at least 2 tasks with a circuit breaker that rolls back, on a pinned architecture, and scales on CPU and requests", () => {
    template.hasResourceProperties("AWS::ECS::Service", {
      DesiredCount: 2,
      LaunchType: "FARGATE",
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: "DISABLED" } },
    });
    template.hasResourceProperties("AWS::ECS::TaskDefinition", { RuntimePlatform: { CpuArchitecture: "X86_64", OperatingSystemFamily: "LINUX" } });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MinCapacity: 2, MaxCapacity: 10 });
    const metrics = resourcesOf(template, "AWS::ApplicationAutoScaling::ScalingPolicy").map(([, p]) => p.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType).sort();
    expect(metrics).toEqual(["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"]);
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", { HealthCheckPath: "/healthz", TargetType: "ip", Port: 8080 });
    template.hasResourceProperties("AWS::ECS::Cluster", { ClusterSettings: [{ Name: "containerInsights", Value: "enabled" }] });
  });

  it("configures the app for the deployment: OIDC, hosts, proxies, S3, prompts; the database and SECRET_KEY only as secrets", () => {
    const env = envOf();
    expect(render(env["PUBLIC_URL"])).toBe(`https://<${resourcesOf(template, "AWS::CloudFront::Distribution")[0]![0]}.DomainName>`);
    expect(render(env["ALLOWED_HOSTS"])).toMatch(/^<Alb\w+\.DNSName>$/);
    expect(env).toMatchObject({ TRUST_PROXY_HOPS: "2", AUTH_MODE: "oidc", OIDC_ADMIN_GROUP: "admin", PROMPT_STORE: "bedrock", DATABASE_CA_FILE: "/etc/ssl/certs/rds-global-bundle.pem", HOST: "0.0.0.0", PORT: "8080" });
    const promptIds = render(env["PROMPT_IDS"]) as string;
    // The default prompt, and the global profile's own (the others use the default one), keyed as the app reads them.
    expect(promptIds).toMatch(/^\{"default":\{"id":"<PromptsPromptDefault\w+\.Id>","version":"<PromptsPromptDefaultVersion1\w+\.Version>"\},"Claude Sonnet 4\.5 \(Global\)":\{"id":"<PromptsPromptProfile1\w+\.Id>","version":"<PromptsPromptProfile1Version1\w+\.Version>"\}\}$/);
    const secrets = Object.fromEntries((container().Secrets as Array<{ Name: string; ValueFrom: unknown }>).map((s) => [s.Name, render(s.ValueFrom)]));
    expect(Object.keys(secrets).sort()).toEqual(["DATABASE_HOST", "DATABASE_NAME", "DATABASE_PASSWORD", "DATABASE_PORT", "DATABASE_USER", "SECRET_KEY"]);
    expect(secrets["DATABASE_PASSWORD"]).toMatch(/^<DatabaseClusterSecretAttachment\w+>:password::$/);
    expect(secrets["DATABASE_HOST"]).toMatch(/:host::$/);
    for (const name of ["DATABASE_URL", "DATABASE_PASSWORD", "SECRET_KEY", "OIDC_CLIENT_SECRET"]) expect(env[name], name).toBeUndefined();
  });

  it("logs to CloudWatch with a retention, and alarms on the 5xx rate and unhealthy targets", () => {
    for (const [, group] of resourcesOf(template, "AWS::Logs::LogGroup")) expect(group.Properties.RetentionInDays).toBe(90);
    expect(container().LogConfiguration.LogDriver).toBe("awslogs");
    const alarms = resourcesOf(template, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    expect(alarms).toHaveLength(2);
    expect(alarms.some((a) => a.Metrics?.some((m: any) => m.Expression?.includes("errors / requests")))).toBe(true);
    expect(alarms.some((a) => a.MetricName === "UnHealthyHostCount")).toBe(true);
  });
});

describe("sign-in, data and prompts", () => {
  it("Cognito: no self sign-up, MFA, the hosted UI domain, the admin group, callback and logout URLs of the public URL", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, MfaConfiguration: "ON" });
    template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: "admin" });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", { Domain: Match.anyValue() });
    const client = only(template, "AWS::Cognito::UserPoolClient").Properties;
    expect(client.AllowedOAuthFlows).toEqual(["code"]);
    expect(client.GenerateSecret).toBe(false);
    const distribution = resourcesOf(template, "AWS::CloudFront::Distribution")[0]![0];
    expect(render(client.CallbackURLs)).toEqual([`https://<${distribution}.DomainName>/auth/callback`]);
    expect(render(client.LogoutURLs)).toEqual([`https://<${distribution}.DomainName>/`]);
  });

  it("Aurora Serverless v2 PostgreSQL: encrypted, deletion-protected, snapshotted on delete, in isolated subnets", () => {
    const [, cluster] = resourcesOf(template, "AWS::RDS::DBCluster")[0]!;
    expect(cluster.Properties).toMatchObject({ Engine: "aurora-postgresql", StorageEncrypted: true, DeletionProtection: true, DatabaseName: "chat", EnableCloudwatchLogsExports: ["postgresql"] });
    expect(cluster.DeletionPolicy).toBe("Snapshot");
    expect(resourcesOf(template, "AWS::RDS::DBInstance").every(([, i]) => i.Properties.DBInstanceClass === "db.serverless")).toBe(true);
  });

  it("the attachments bucket: encrypted, public access blocked, TLS only, unsent uploads expire, retained", () => {
    const [id, bucket] = resourcesOf(template, "AWS::S3::Bucket").find(([key]) => key.startsWith("Attachments"))!;
    expect(bucket.DeletionPolicy).toBe("Retain");
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ TagFilters: [{ Key: "pending", Value: "true" }], ExpirationInDays: 2, Status: "Enabled" }));
    const policy = resourcesOf(template, "AWS::S3::BucketPolicy").find(([, p]) => render(p.Properties.Bucket) === `<${id}>`)![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
  });

  it("creates each prompt with a version 1, both retained on update and delete", () => {
    const prompts = resourcesOf(template, "AWS::Bedrock::Prompt");
    expect(prompts.map(([, p]) => p.Properties.Name).sort()).toEqual(["fllm-Claude-Sonnet-4-5-Global", "fllm-default"]);
    for (const [, prompt] of prompts) expect([prompt.DeletionPolicy, prompt.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
    const versions = resourcesOf(template, "AWS::Bedrock::PromptVersion");
    expect(versions).toHaveLength(2);
    for (const [, version] of versions) expect([version.DeletionPolicy, version.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
    const defaultPrompt = prompts.find(([, p]) => p.Properties.Name === "fllm-default")![1];
    expect(defaultPrompt.Properties.Variants[0].TemplateConfiguration.Text).toEqual({
      Text: "You are a helpful assistant. Today is {{TODAY}}, {{UTC_TIME}}.",
      InputVariables: [{ Name: "TODAY" }, { Name: "UTC_TIME" }],
    });
  });

  it("outputs the URL, the user pool and the command that adds the first admin", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["Url", "UserPoolId", "AddAdminCommand"]));
    const command = render(outputs["AddAdminCommand"]!.Value) as string;
    expect(command).toMatch(/admin-create-user .*Name=email_verified,Value=true/);
    expect(command).toMatch(/admin-add-user-to-group .*--group-name admin/);
  });
});
