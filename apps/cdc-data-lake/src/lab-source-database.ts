import { NagAcknowledgements, Sandbox } from '@analytics-patterns/core';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Props for {@link LabSourceDatabase}. */
export interface LabSourceDatabaseProps {
  /** VPC of the database (isolated subnets). */
  readonly vpc: ec2.IVpc;
  /** Key of the storage, the secret and the logs. */
  readonly encryptionKey: kms.IKey;
  /** Name of the database created in the cluster. */
  readonly databaseName: string;
}

/** The smallest Aurora Serverless v2 capacity (ACUs): the lab's source stays at the floor of the price. */
const MIN_ACU = 0.5;
const MAX_ACU = 1;
/** Master user of the lab database (DMS reads with it: rds_superuser includes rds_replication). */
const MASTER_USER = 'cdcadmin';

/**
 * The lab's source database, created only in sandbox mode with `-c cdc-lab-source=true`: an
 * Aurora PostgreSQL Serverless v2 cluster (0.5-1 ACU) with logical replication on (what DMS
 * change data capture reads) and the RDS Data API on, so the learner inserts, updates and deletes
 * rows with `aws rds-data execute-statement` without any network path into the VPC.
 *
 * It is a lab fixture, not a production database: one writer, backups kept one day, no
 * deletion protection, no secret rotation (the acknowledgements say so).
 */
export class LabSourceDatabase extends Construct implements ec2.IConnectable {
  /** PostgreSQL's port, set explicitly so that security group rules name it (not a deploy-time attribute). */
  public static readonly PORT = 5432;

  /** The cluster. */
  public readonly cluster: rds.DatabaseCluster;
  /** The generated master secret (host, port, username, password: what DMS and the Data API read). */
  public readonly secret: secretsmanager.ISecret;
  /** The cluster's connections (PostgreSQL port). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: LabSourceDatabaseProps) {
    super(scope, id);
    const clusterIdentifier = `${Stack.of(this).stackName.toLowerCase()}-lab-source`;
    // the log group RDS would create itself, made here: encrypted, one week, deleted with the stack
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      encryptionKey: props.encryptionKey,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      clusterIdentifier,
      port: LabSourceDatabase.PORT,
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USER, { encryptionKey: props.encryptionKey }),
      defaultDatabaseName: props.databaseName,
      writer: rds.ClusterInstance.serverlessV2('Writer', { autoMinorVersionUpgrade: true }),
      serverlessV2MinCapacity: MIN_ACU,
      serverlessV2MaxCapacity: MAX_ACU,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
        description: 'Logical replication for DMS change data capture; TLS only',
        parameters: { 'rds.logical_replication': '1', 'rds.force_ssl': '1' },
      }),
      storageEncryptionKey: props.encryptionKey,
      enableDataApi: true,
      iamAuthentication: true,
      backup: { retention: Duration.days(1) },
      cloudwatchLogsExports: ['postgresql'],
      deletionProtection: false,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.cluster.node.addDependency(postgresLogs);
    this.secret = this.cluster.secret!;
    this.connections = new ec2.Connections({
      securityGroups: this.cluster.connections.securityGroups, defaultPort: ec2.Port.tcp(LabSourceDatabase.PORT),
    });
    this.acknowledge();
  }

  private acknowledge(): void {
    const fixture = 'The lab source database exists only in sandbox mode (cdc-lab-source=true), for a lab of a few hours, and is deleted with the stack';
    NagAcknowledgements.acknowledge(this.cluster, 'AwsSolutions-RDS10', `${fixture}: deletion protection would stop the sandbox time-to-live from deleting it.`);
    NagAcknowledgements.acknowledge(this.cluster, 'AwsSolutions-RDS11', `${fixture}: it accepts connections only from the DMS replication's security group, so the default port gives nothing away.`);
    NagAcknowledgements.acknowledge(this.cluster, 'AwsSolutions-SMG4', `${fixture}: DMS and the Data API read the master secret during the lab; rotating it mid-lab would only interrupt them.`);
    NagAcknowledgements.acknowledgeCompliance(this.cluster, 'SecretsManagerRotationEnabled', `${fixture}: DMS and the Data API read the master secret during the lab; rotating it mid-lab would only interrupt them.`);
    NagAcknowledgements.acknowledgeCompliance(this.cluster, 'RDSInBackupPlan', `${fixture}: Aurora keeps its own automated backups one day; an AWS Backup plan would outlive the lab.`);
    NagAcknowledgements.acknowledgeCompliance(this.cluster, 'RDSEnhancedMonitoringEnabled',
      `${fixture}: the cluster's CloudWatch metrics and its exported PostgreSQL log cover a 0.5-ACU lab database; enhanced monitoring would add a role with an AWS managed policy and OS metrics nobody reads.`);
    NagAcknowledgements.acknowledgeCompliance(this.cluster, 'RDSInstanceDeletionProtectionEnabled', `${fixture}: deletion protection would stop the sandbox time-to-live from deleting it.`);
  }
}
