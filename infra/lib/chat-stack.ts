import { Aws, CfnOutput, type CfnResource, Duration, Fn, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { AppConfig } from "../../src/config/resolve.js";
import { bedrockResources } from "./bedrock-access.js";
import { ChatDatabase } from "./database.js";
import { ChatMonitoring } from "./monitoring.js";
import { acknowledgeFindings, type Acknowledged } from "./nag-acknowledgements.js";
import { cloudFrontPrefixList } from "./prefix-list.js";
import { ChatPrompts } from "./prompts.js";
import type { DeploySettings } from "./settings.js";
import { ALB_IDLE_TIMEOUT_SECONDS, ORIGIN_READ_TIMEOUT_SECONDS, ORIGIN_SECRET_HEADER } from "./timeouts.js";

export interface ChatStackProps extends StackProps {
  config: AppConfig;
  settings: DeploySettings;
  /** The repo root (the image's build context) and the config.json the stack read, relative to it. */
  contextDir: string;
  configFile: string;
}

const APP_PORT = 8080;
/** Where the image keeps the RDS CA bundle (see the Dockerfile). */
const RDS_CA_FILE = "/etc/ssl/certs/rds-global-bundle.pem";
const ADMIN_GROUP = "admin";

/**
 * The app on AWS: CloudFront -> ALB (only CloudFront's addresses, only with CloudFront's secret header) -> ECS
 * Fargate tasks in private subnets -> Aurora PostgreSQL, S3 for attachments, Bedrock (models and Prompt
 * Management), Cognito for sign-in. Env-agnostic: synthesizes offline, with no account.
 */
export class ChatStack extends Stack {
  /** The cdk-nag findings this stack acknowledges, with their reasons. */
  readonly acknowledged: Acknowledged[];

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, props);
    const { config, settings } = props;
    const https = settings.originDomainName !== undefined;

    // Network: 2 AZs, public subnets for the ALB and NAT, private ones for the tasks, isolated ones for the database.
    const vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 2,
      subnetConfiguration: [
        { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: "app", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: "data", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, "FlowLogs", { retention: settings.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY })) } },
    });

    // Access logs of the ALB, CloudFront and the attachments bucket (ACLs enabled: CloudFront's standard logs need them).
    const accessLogs = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Attachments: encrypted, private, TLS only; uploads never sent (tagged pending=true) expire.
    const attachments = new s3.Bucket(this, "Attachments", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: "s3-attachments/",
      lifecycleRules: [
        { id: "unsent-uploads", tagFilters: { pending: "true" }, expiration: Duration.days(2) },
        { id: "incomplete-multipart", abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Secrets: the key that seals MCP headers at rest (64 hex digits = 32 bytes), and CloudFront's origin header.
    const secretKey = new secretsmanager.Secret(this, "SecretKey", {
      description: "SECRET_KEY of the chat app: seals MCP server headers and tokens at rest (32 bytes as hex)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, excludeUppercase: true, excludeCharacters: "ghijklmnopqrstuvwxyz", requireEachIncludedType: false },
    });
    const originSecret = new secretsmanager.Secret(this, "OriginSecret", {
      description: "Value of the header CloudFront adds to origin requests; the ALB forwards only requests that carry it",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    const database = new ChatDatabase(this, "Database", { vpc, kind: settings.database, logRetentionDays: settings.logRetentionDays });

    // The ALB admits only CloudFront's origin-facing addresses, and forwards only requests with the secret header.
    const albSecurityGroup = new ec2.SecurityGroup(this, "AlbSecurityGroup", { vpc, description: "ALB - only from the CloudFront origin-facing prefix list", allowAllOutbound: false });
    const listenerPort = https ? 443 : 80;
    albSecurityGroup.addIngressRule(ec2.Peer.prefixList(settings.cloudFrontPrefixListId ?? cloudFrontPrefixList(this)), ec2.Port.tcp(listenerPort), "CloudFront origin-facing");
    const alb = new elbv2.ApplicationLoadBalancer(this, "Alb", {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      idleTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
      dropInvalidHeaderFields: true,
    });
    logAlbAccess(alb, accessLogs, "alb");
    const listener = alb.addListener("Listener", {
      port: listenerPort,
      protocol: https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      ...(https ? { certificates: [elbv2.ListenerCertificate.fromArn(settings.originCertificateArn!)], sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS } : {}),
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(403, { contentType: "text/plain", messageBody: "Forbidden" }),
    });

    // Sign-in: Cognito without self sign-up, the hosted UI, and an `admin` group that maps to the app's admin role.
    const publicHost = settings.domainName;
    const userPool = new cognito.UserPool(this, "UserPool", {
      userPoolName: `${config.prefix}foundational-llm-chat-user-pool`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cognito.CfnUserPoolGroup(this, "AdminGroup", { userPoolId: userPool.userPoolId, groupName: ADMIN_GROUP, description: "Admins of the chat app (OIDC_ADMIN_GROUP)" });
    const domainPrefix = config.cognitoDomain
      ? config.cognitoDomain.split(".")[0]!
      : Fn.join("-", [`${config.prefix.toLowerCase().replace(/[^a-z0-9-]/g, "")}chat`, Fn.select(0, Fn.split("-", Fn.select(2, Fn.split("/", Aws.STACK_ID))))]);
    userPool.addDomain("Domain", { cognitoDomain: { domainPrefix } });

    const apiOrigin = new origins.HttpOrigin(https ? settings.originDomainName! : alb.loadBalancerDnsName, {
      protocolPolicy: https ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      ...(https ? { originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] } : {}),
      readTimeout: Duration.seconds(ORIGIN_READ_TIMEOUT_SECONDS),
      keepaliveTimeout: Duration.seconds(60),
      customHeaders: { [ORIGIN_SECRET_HEADER]: originSecret.secretValue.unsafeUnwrap() },
    });
    // Dynamic behaviour: no caching, every method, every viewer header but Host (cookies, Origin, query strings), no
    // compression (the answer stream must pass as it is written).
    const dynamic: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
    };
    const distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: `${config.prefix}Foundational LLM Chat`,
      defaultBehavior: dynamic,
      additionalBehaviors: {
        "/api/*": dynamic,
        "/auth/*": dynamic,
        // Built assets carry a content hash in their names: cached at the edge, compressed.
        "/assets/*": {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          compress: true,
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: "cloudfront/",
      ...(publicHost
        ? { domainNames: [publicHost], certificate: acm.Certificate.fromCertificateArn(this, "Certificate", settings.certificateArn!), minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 }
        : {}),
    });
    const publicUrl = `https://${publicHost ?? distribution.distributionDomainName}`;

    const client = userPool.addClient("WebClient", {
      generateSecret: false,
      preventUserExistenceErrors: true,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${publicUrl}/auth/callback`],
        logoutUrls: [`${publicUrl}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });

    const prompts = new ChatPrompts(this, "Prompts", config);

    // The service: at least 2 tasks in private subnets, the architecture the image is built for.
    const cluster = new ecs.Cluster(this, "Cluster", { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const arm = settings.cpuArchitecture === "arm64";
    const taskDefinition = new ecs.FargateTaskDefinition(this, "Task", {
      cpu: 1024,
      memoryLimitMiB: 2048,
      runtimePlatform: { cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const appLogs = new logs.LogGroup(this, "AppLogs", { retention: settings.logRetentionDays, removalPolicy: RemovalPolicy.RETAIN });
    const dbSecret = database.secret;
    taskDefinition.addContainer("app", {
      image: ecs.ContainerImage.fromAsset(props.contextDir, { platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64, buildArgs: { CONFIG_FILE: props.configFile } }),
      portMappings: [{ containerPort: APP_PORT }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: "app", logGroup: appLogs }),
      stopTimeout: Duration.seconds(30),
      healthCheck: {
        command: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${APP_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(30),
        retries: 3,
      },
      environment: {
        PORT: String(APP_PORT),
        HOST: "0.0.0.0",
        LOG_LEVEL: "info",
        PUBLIC_URL: publicUrl,
        // CloudFront forwards every viewer header but Host: requests arrive with the ALB's name as Host.
        ALLOWED_HOSTS: https ? settings.originDomainName! : alb.loadBalancerDnsName,
        // CloudFront appends the viewer's address to X-Forwarded-For, the ALB appends CloudFront's.
        TRUST_PROXY_HOPS: "2",
        AUTH_MODE: "oidc",
        OIDC_ISSUER: userPool.userPoolProviderUrl,
        OIDC_CLIENT_ID: client.userPoolClientId,
        OIDC_ADMIN_GROUP: ADMIN_GROUP,
        DATABASE_CA_FILE: RDS_CA_FILE,
        ATTACHMENTS_BUCKET: attachments.bucketName,
        ATTACHMENTS_BUCKET_OWNER: Aws.ACCOUNT_ID,
        PROMPT_STORE: "bedrock",
        // The stack's prompts live in the stack's region, whatever config.json's default_aws_region says.
        PROMPT_REGION: Aws.REGION,
        PROMPT_IDS: prompts.promptIdsJson(),
      },
      // Injected by ECS from Secrets Manager when a task starts; never in the task definition.
      secrets: {
        DATABASE_HOST: ecs.Secret.fromSecretsManager(dbSecret, "host"),
        DATABASE_PORT: ecs.Secret.fromSecretsManager(dbSecret, "port"),
        DATABASE_NAME: ecs.Secret.fromSecretsManager(dbSecret, "dbname"),
        DATABASE_USER: ecs.Secret.fromSecretsManager(dbSecret, "username"),
        DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, "password"),
        SECRET_KEY: ecs.Secret.fromSecretsManager(secretKey),
      },
    });
    grantAppAccess(taskDefinition.taskRole, config, attachments, prompts.promptArns);

    const serviceSecurityGroup = new ec2.SecurityGroup(this, "ServiceSecurityGroup", { vpc, description: "Chat tasks: from the ALB only", allowAllOutbound: true });
    const service = new ecs.FargateService(this, "Service", {
      cluster,
      taskDefinition,
      desiredCount: settings.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceSecurityGroup],
      healthCheckGracePeriod: Duration.seconds(60),
    });
    database.allowFrom(serviceSecurityGroup);
    albSecurityGroup.addEgressRule(serviceSecurityGroup, ec2.Port.tcp(APP_PORT), "to the tasks");
    serviceSecurityGroup.addIngressRule(albSecurityGroup, ec2.Port.tcp(APP_PORT), "from the ALB");

    const targetGroup = new elbv2.ApplicationTargetGroup(this, "Targets", {
      vpc,
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: "/healthz", healthyHttpCodes: "200", interval: Duration.seconds(15), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });
    listener.addAction("FromCloudFront", {
      priority: 1,
      conditions: [elbv2.ListenerCondition.httpHeader(ORIGIN_SECRET_HEADER, [originSecret.secretValue.unsafeUnwrap()])],
      action: elbv2.ListenerAction.forward([targetGroup]),
    });

    const scaling = service.autoScaleTaskCount({ minCapacity: settings.minTasks, maxCapacity: settings.maxTasks });
    scaling.scaleOnCpuUtilization("Cpu", { targetUtilizationPercent: 60 });
    scaling.scaleOnRequestCount("Requests", { requestsPerTarget: 1000, targetGroup });

    new ChatMonitoring(this, "Monitoring", { alb, targetGroup });

    new CfnOutput(this, "Url", { value: publicUrl, description: "Open this address to chat" });
    new CfnOutput(this, "AlbDnsName", { value: alb.loadBalancerDnsName, description: "The ALB's name (point originDomainName at it for HTTPS to the ALB); it answers only CloudFront" });
    new CfnOutput(this, "UserPoolId", { value: userPool.userPoolId, description: "The Cognito user pool of the chat's users" });
    new CfnOutput(this, "AddAdminCommand", {
      description: "Adds the first admin (replace EMAIL): Cognito mails a temporary password; the first sign-in sets a new one and MFA",
      value: `aws cognito-idp admin-create-user --region ${Aws.REGION} --user-pool-id ${userPool.userPoolId} --username EMAIL --user-attributes Name=email,Value=EMAIL Name=email_verified,Value=true --desired-delivery-mediums EMAIL && aws cognito-idp admin-add-user-to-group --region ${Aws.REGION} --user-pool-id ${userPool.userPoolId} --username EMAIL --group-name ${ADMIN_GROUP}`,
    });

    this.acknowledged = acknowledgeFindings(this, {
      secrets: { secretKey, originSecret, database: database.resource.node.findChild("Secret") },
      database: database.resource,
      userPool,
      distribution,
      taskDefinition,
      taskPolicy: taskDefinition.taskRole.node.findChild("DefaultPolicy"),
      executionPolicy: taskDefinition.obtainExecutionRole().node.findChild("DefaultPolicy"),
      prompts: prompts.resources,
      attachments: attachments.node.defaultChild as CfnResource,
      customDomain: publicHost !== undefined,
      httpsOrigin: https,
    });
  }
}

/** The task's own permissions: Bedrock models and profiles from config.json, its prompts, its bucket prefix; nothing else. */
function grantAppAccess(role: iam.IRole, config: AppConfig, bucket: s3.IBucket, promptArns: string[]): void {
  const bedrock = bedrockResources(config, { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID });
  const invoke = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: "InvokeConfiguredModels", actions: invoke, resources: [...bedrock.foundationModels, ...bedrock.configuredArns] }));
  if (bedrock.inferenceProfiles.length) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: "InvokeConfiguredInferenceProfiles", actions: invoke, resources: bedrock.inferenceProfiles }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "ManageStackPrompts",
      actions: ["bedrock:GetPrompt", "bedrock:UpdatePrompt", "bedrock:CreatePromptVersion", "bedrock:ListPrompts"],
      resources: [...promptArns, ...promptArns.map((arn) => `${arn}:*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "AttachmentObjects",
      actions: ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"],
      resources: [bucket.arnForObjects("attachments/*")],
    }),
  );
}

/**
 * ALB access logs into `bucket` (CDK's logAccessLogs needs the region at synth time; this stack is env-agnostic):
 * the bucket admits Elastic Load Balancing's log delivery service principal for that prefix.
 */
function logAlbAccess(alb: elbv2.ApplicationLoadBalancer, bucket: s3.Bucket, prefix: string): void {
  alb.setAttribute("access_logs.s3.enabled", "true");
  alb.setAttribute("access_logs.s3.bucket", bucket.bucketName);
  alb.setAttribute("access_logs.s3.prefix", prefix);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AlbAccessLogs",
      actions: ["s3:PutObject"],
      principals: [new iam.ServicePrincipal("logdelivery.elasticloadbalancing.amazonaws.com")],
      resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
    }),
  );
  const lb = alb.node.defaultChild as CfnResource;
  const policy = bucket.policy?.node.defaultChild as CfnResource | undefined;
  if (policy) lb.addResourceDependency(policy);
}
