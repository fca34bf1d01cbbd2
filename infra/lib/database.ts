import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import * as rds from "aws-cdk-lib/aws-rds";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

export const DATABASE_NAME = "chat";
const DATABASE_USER = "chat_admin";

/**
 * PostgreSQL in the isolated subnets: Aurora Serverless v2 (default) or RDS for PostgreSQL Multi-AZ (context
 * database=rds). Encrypted, deletion-protected, snapshotted on removal, logs to CloudWatch; its generated secret
 * holds host, port, dbname, username and password, which the tasks receive field by field.
 */
export class ChatDatabase extends Construct {
  readonly secret: secretsmanager.ISecret;
  /** The cluster or instance. */
  readonly resource: rds.DatabaseCluster | rds.DatabaseInstance;
  private readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc; kind: "aurora" | "rds"; logRetentionDays: number }) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, "SecurityGroup", { vpc: props.vpc, description: "Chat database: from the tasks only", allowAllOutbound: false });
    const common = {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      storageEncrypted: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ["postgresql"],
      cloudwatchLogsRetention: props.logRetentionDays as logs.RetentionDays,
    };
    if (props.kind === "aurora") {
      const cluster = new rds.DatabaseCluster(this, "Cluster", {
        ...common,
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_6 }),
        defaultDatabaseName: DATABASE_NAME,
        writer: rds.ClusterInstance.serverlessV2("writer"),
        readers: [rds.ClusterInstance.serverlessV2("reader", { scaleWithWriter: true })],
        serverlessV2MinCapacity: 0.5,
        serverlessV2MaxCapacity: 8,
        backup: { retention: Duration.days(7) },
      });
      this.resource = cluster;
      this.secret = cluster.secret!;
      this.connections = cluster.connections;
    } else {
      const instance = new rds.DatabaseInstance(this, "Instance", {
        ...common,
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
        databaseName: DATABASE_NAME,
        multiAz: true,
        allocatedStorage: 20,
        maxAllocatedStorage: 200,
        backupRetention: Duration.days(7),
        enablePerformanceInsights: true,
      });
      this.resource = instance;
      this.secret = instance.secret!;
      this.connections = instance.connections;
    }
  }

  allowFrom(peer: ec2.IConnectable): void {
    this.connections.allowDefaultPortFrom(peer, "from the chat tasks");
  }
}
