import { Stack, Validations, type CfnResource } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** One cdk-nag finding acknowledged on one construct, with the reason a reviewer reads. */
export interface Acknowledged {
  path: string;
  id: string;
  reason: string;
}

/** The constructs whose findings are acknowledged (every other finding fails synth). */
export interface FindingSources {
  secrets: { secretKey: IConstruct; originSecret: IConstruct; database: IConstruct };
  database: IConstruct;
  userPool: IConstruct;
  distribution: IConstruct;
  taskDefinition: IConstruct;
  taskPolicy: IConstruct;
  executionPolicy: IConstruct;
  prompts: CfnResource[];
  attachments: CfnResource;
  customDomain: boolean;
  httpsOrigin: boolean;
}

const SINGLETON_LOG_RETENTION = "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a";
const SINGLETON_AWS_CUSTOM_RESOURCE = "AWS679f53fac002430cb0da5b7982bd2287";

/**
 * Every cdk-nag (AwsSolutions) finding this stack keeps, each on the construct it is about, with its reason. The
 * list is returned so the tests can check that every acknowledgement names a reason.
 */
export function acknowledgeFindings(stack: Stack, s: FindingSources): Acknowledged[] {
  const done: Acknowledged[] = [];
  const ack = (construct: IConstruct | undefined, rule: string, reason: string) => {
    if (!construct) return;
    const id = `AwsSolutions::AwsSolutions-${rule}`;
    Validations.of(construct).acknowledge({ id, reason });
    done.push({ path: construct.node.path, id, reason });
  };
  const arnOf = (resource: CfnResource) => `<${stack.getLogicalId(resource)}.Arn>`;

  const rotation = "Rotating it needs the tasks restarted (they read secrets when they start); rotate by updating the secret and forcing a new deployment, as the README's Deploy to AWS section says.";
  ack(s.secrets.secretKey, "SMG4", `SECRET_KEY seals stored MCP headers; it is rotated by hand with SECRET_KEY_PREVIOUS so old values stay readable. ${rotation}`);
  ack(s.secrets.originSecret, "SMG4", `The origin header value sits in CloudFront's and the ALB's configuration, which a rotation Lambda cannot update. ${rotation}`);
  ack(s.secrets.database, "SMG4", `The database password is read by each task at start (a pool keeps its connections). ${rotation}`);
  ack(s.database, "RDS11", "The default port is kept: the database is in isolated subnets and its security group admits only the tasks; a different port adds no protection. (Flagged for RDS for PostgreSQL, -c database=rds.)");
  ack(s.database, "RDS6", "The app signs in with the generated password from Secrets Manager over verified TLS; IAM database authentication would need 15-minute tokens the app does not fetch. Only the tasks' security group reaches the database.");

  ack(s.userPool, "COG8", "Cognito's Plus feature plan (threat protection) costs per active user; sign-in already requires MFA (TOTP) and a strong password. Enable the Plus plan in the console where its price fits.");

  ack(s.distribution, "CFR1", "A chat for a team's users worldwide: no country is excluded by default. Add geo restrictions in the distribution if your users are in known countries.");
  ack(s.distribution, "CFR2", "AWS WAF for CloudFront must be created in us-east-1 and is billed per rule and request; sign-in, per-address sign-in limits and per-user rate limits are in the app. Attach a web ACL (webAclId) where needed.");
  if (!s.customDomain) {
    ack(s.distribution, "CFR4", "Without a custom domain the distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum protocol cannot be set. With -c domainName and -c certificateArn it is TLSv1.2_2021.");
  }
  if (!s.httpsOrigin) {
    ack(s.distribution, "CFR5", "No certificate can be issued for the ALB's generated DNS name, so CloudFront reaches the ALB over HTTP with a secret header and the ALB admits only CloudFront's prefix list (no SSLv3/TLSv1 is used: there is no TLS on this hop). With -c originDomainName and -c originCertificateArn it is HTTPS with TLSv1.2; the README states both.");
  }

  ack(s.taskDefinition, "ECS2", "The environment holds only non-secret settings (URLs, ids, names); the database fields and SECRET_KEY come from Secrets Manager as ECS secrets.");
  for (const prompt of s.prompts) {
    ack(s.taskPolicy, `IAM5[Resource::${arnOf(prompt)}:*]`, "The versions of the stack's own prompts (arn:...:prompt/ID:N): the app creates version N and reads it, so N cannot be listed in advance.");
  }
  ack(s.taskPolicy, `IAM5[Resource::${arnOf(s.attachments)}/attachments/*]`, "Objects under the attachments/ prefix of the stack's own bucket: keys are attachments/<user>/<blob>, created as users upload.");
  ack(s.executionPolicy, "IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource type (IAM requires *); the image pull itself is scoped to the asset repository by CDK.");

  // CDK's own singleton functions: the log-retention setter (for the database's CloudWatch log group) and the
  // deploy-time lookup of CloudFront's prefix list.
  const logRetention = stack.node.tryFindChild(SINGLETON_LOG_RETENTION);
  ack(logRetention?.node.tryFindChild("ServiceRole"), "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]", "CDK's log-retention function writes its own logs with the basic Lambda execution policy; it runs only during deployments.");
  ack(logRetention?.node.tryFindChild("ServiceRole")?.node.tryFindChild("DefaultPolicy"), "IAM5[Resource::*]", "CDK's log-retention function sets the retention of the database's log group, whose name RDS chooses; it runs only during deployments.");
  const customResource = stack.node.tryFindChild(SINGLETON_AWS_CUSTOM_RESOURCE);
  ack(customResource?.node.tryFindChild("ServiceRole"), "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]", "CDK's AwsCustomResource function writes its own logs with the basic Lambda execution policy; it runs only during deployments.");
  ack(stack.node.tryFindChild("CloudFrontPrefixList")?.node.tryFindChild("CustomResourcePolicy"), "IAM5[Resource::*]", "ec2:DescribeManagedPrefixLists has no resource type (IAM requires *); it only reads the id of CloudFront's origin-facing prefix list at deploy time. Give -c cloudFrontPrefixListId to skip the lookup.");
  return done;
}
