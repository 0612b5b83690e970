import { AlarmTopic, ContextValues, CustomerManagedPolicies, Sandbox, SandboxLifetime, VpcFlowLogs } from '@analytics-patterns/core';
import {
  ActivityWork, ClusterAuthentication, EmrScript, EmrServerlessJob, EmrStep, Precondition, ScheduledPipeline, TransientEmrCluster,
} from '@analytics-patterns/processing';
import { DataKey } from '@analytics-patterns/security';
import { ColumnType, DataLakeDatabase, DataLakeTable, PartitionProjection, SecureBucket, TableFormat } from '@analytics-patterns/storage';
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

/** Props for {@link BatchAnalyticsStack}. */
export interface BatchAnalyticsStackProps extends StackProps {
  /** EC2 key pair for SSH to the EMR nodes. Default: context `emr-key-pair`, else `analytics-patterns-emr`. */
  readonly emrKeyPairName?: string;
  /** E-mail addresses notified of failed runs. Default: context `alarm-emails` (comma-separated). */
  readonly alarmEmails?: string[];
  /** Tag (key=value) of the web servers whose logs are copied daily. Default: `role=web`. */
  readonly webServerTag?: { key: string; value: string };
}

/** Where things live in the buckets. */
const RAW_PREFIX = 'raw/weblogs/';
const CURATED_PREFIX = 'curated/weblog_daily/';
const SERVERLESS_PREFIX = 'curated/weblog_daily_serverless/';
const TLS_ZIP = 'emr/tls/certs.zip';

/**
 * Reference app: batch analytics on a transient EMR cluster (notes 3.3, 3.4).
 *
 * The notes' Data Pipeline example, rebuilt on EventBridge Scheduler + Step Functions:
 * - daily (01:00 UTC): SSM Run Command on the web servers (tag `role=web`) copies
 *   their JSON logs to the raw zone, `s3://<raw>/raw/weblogs/dt=YYYY-MM-DD/`;
 * - weekly (Sunday 03:00 UTC): if the raw zone has logs, a transient EMR cluster
 *   (Spark, instance fleets, task nodes on Spot) aggregates the last 7 days into
 *   Parquet in the curated zone, `s3://<curated>/curated/weblog_daily/dt=.../`, and
 *   is terminated whatever happens;
 * - the Glue table `weblogs.weblog_daily` (partition projection on `dt`, so no crawler
 *   run is needed) makes the curated data queryable in Athena at once.
 *
 * The same Spark script also runs on EMR Serverless (state machine output
 * `ServerlessJobStateMachine`, started by hand) to compare cost and start-up time.
 *
 * Before the first weekly run: upload a zip of PEM files for in-transit encryption to
 * `s3://<operations bucket>/emr/tls/certs.zip` (see README) and create the EC2 key pair.
 */
export class BatchAnalyticsStack extends Stack {
  public readonly vpc: ec2.Vpc;
  public readonly raw: SecureBucket;
  public readonly curated: SecureBucket;
  public readonly operations: SecureBucket;
  public readonly job: TransientEmrCluster;
  public readonly serverlessJob: EmrServerlessJob;
  public readonly pipeline: ScheduledPipeline;
  public readonly table: DataLakeTable;
  /** The topic of failed runs (encrypted with the data key). */
  public readonly notifications: AlarmTopic;

  constructor(scope: Construct, id: string, props: BatchAnalyticsStackProps = {}) {
    super(scope, id, { description: 'analytics-patterns reference app: weekly transient EMR job from the raw zone to the curated zone', ...props });
    const key = new DataKey(this, 'DataKey', { alias: 'analytics-patterns/batch-analytics', description: 'Batch analytics data key' });
    const emails = props.alarmEmails ?? ContextValues.list(this, 'alarm-emails');
    this.notifications = new AlarmTopic(this, 'Notifications', { encryptionKey: key.key, emails });
    this.raw = new SecureBucket(this, 'RawZone', { encryptionKey: key.key });
    this.curated = new SecureBucket(this, 'CuratedZone', { encryptionKey: key.key });
    // EMR logs, TLS certificates, flow logs: shares the raw zone's access log bucket
    this.operations = new SecureBucket(this, 'Operations', { encryptionKey: key.key, serverAccessLogsBucket: this.raw.serverAccessLogsBucket, lifecycle: { expireAfter: Duration.days(400) } });
    const { vpc, endpointSecurityGroup } = this.network(key.key);
    this.vpc = vpc;
    const script = EmrScript.packaged('weblog_analysis.py');
    this.job = this.transientCluster(props, script, key.key);
    for (const sg of [this.job.masterSecurityGroup, this.job.workerSecurityGroup]) {
      endpointSecurityGroup.addIngressRule(sg, ec2.Port.tcp(443), 'HTTPS from EMR nodes');
    }
    this.serverlessJob = this.serverless(script, key.key);
    this.table = this.catalog();
    this.pipeline = this.schedule(props, key.key);
    this.outputs();
    // the app's own roles (flow logs) follow the library's customer-managed-policies switch
    CustomerManagedPolicies.apply(this);
    // sandbox mode only: -c analytics-patterns:sandbox-ttl-hours=N and -c analytics-patterns:budget-usd=AMOUNT
    SandboxLifetime.apply(this, { budgetEmails: emails });
  }

  /**
   * Private subnets only: no NAT gateway, AWS services through endpoints reachable only from
   * the EMR nodes (their rules are added once the cluster exists); rejected traffic is logged.
   */
  private network(key: kms.IKey): { vpc: ec2.Vpc; endpointSecurityGroup: ec2.SecurityGroup } {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'emr', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      // the default security group keeps no rule (issue 15): nothing can use it by accident
      restrictDefaultSecurityGroup: true,
    });
    // interface endpoints reachable only from the EMR nodes, not from the whole VPC
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc, allowAllOutbound: false, description: 'Interface endpoints (EMR, KMS, STS, Logs), HTTPS from the EMR nodes only',
    });
    for (const [name, service] of [
      ['Emr', ec2.InterfaceVpcEndpointAwsService.EMR],
      ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
      ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const) {
      vpc.addInterfaceEndpoint(`${name}Endpoint`, { service, privateDnsEnabled: true, securityGroups: [endpointSecurityGroup], open: false });
    }
    vpc.addFlowLog('FlowLogs', {
      // the delivery role trusts the flow-logs service for this account's flow logs only (confused deputy)
      destination: VpcFlowLogs.toCloudWatchLogs(vpc, 'FlowLogsRole', new logs.LogGroup(this, 'FlowLogGroup', {
        encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: Sandbox.removalPolicy(this),
      })),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    return { vpc, endpointSecurityGroup };
  }

  /** The weekly Spark job on a transient EMR cluster (instance fleets, task nodes on Spot), raw zone -> curated zone. */
  private transientCluster(props: BatchAnalyticsStackProps, script: EmrScript, key: kms.IKey): TransientEmrCluster {
    return new TransientEmrCluster(this, 'WeeklyAnalysis', {
      vpc: this.vpc,
      steps: [EmrStep.spark({
        name: 'weblog-analysis',
        script,
        arguments: ['--input', this.raw.bucket.s3UrlForObject(RAW_PREFIX), '--output', this.curated.bucket.s3UrlForObject(CURATED_PREFIX), '--lookback-days', '7'],
      })],
      authentication: ClusterAuthentication.keyPair(props.emrKeyPairName ?? ContextValues.string(this, 'emr-key-pair') ?? 'analytics-patterns-emr'),
      inTransitEncryption: { certificateBucket: this.operations.bucket, certificateKey: TLS_ZIP },
      readLocations: [{ bucket: this.raw.bucket, prefix: RAW_PREFIX }],
      writeLocations: [{ bucket: this.curated.bucket, prefix: CURATED_PREFIX }],
      core: { onDemandCapacity: 2 },
      task: { spotCapacity: 2, switchToOnDemand: true },
      managedScaling: { minimumCapacityUnits: 2, maximumCapacityUnits: 8, maximumOnDemandCapacityUnits: 4, maximumCoreCapacityUnits: 2 },
      idleTimeout: Duration.minutes(30),
      stepTimeout: Duration.hours(3),
      encryptionKey: key,
      logBucket: this.operations.bucket,
      notificationTopic: this.notifications.topic,
    });
  }

  /** The same Spark script on EMR Serverless, started by hand, to compare cost and start-up time. */
  private serverless(script: EmrScript, key: kms.IKey): EmrServerlessJob {
    return new EmrServerlessJob(this, 'ServerlessAnalysis', {
      script,
      arguments: ['--input', this.raw.bucket.s3UrlForObject(RAW_PREFIX), '--output', this.curated.bucket.s3UrlForObject(SERVERLESS_PREFIX), '--lookback-days', '7'],
      readLocations: [{ bucket: this.raw.bucket, prefix: RAW_PREFIX }],
      writeLocations: [{ bucket: this.curated.bucket, prefix: SERVERLESS_PREFIX }],
      autoStopAfter: Duration.minutes(15),
      maximumVcpu: 16,
      maximumMemoryGb: 64,
      encryptionKey: key,
      logBucket: this.operations.bucket,
      notificationTopic: this.notifications.topic,
    });
  }

  /** Catalog: the curated table, with partition projection instead of crawls. */
  private catalog(): DataLakeTable {
    const database = new DataLakeDatabase(this, 'Database', {
      databaseName: 'weblogs', description: 'Curated web-log aggregates (batch-analytics reference app)',
    });
    return new DataLakeTable(this, 'WeblogDailyTable', {
      database,
      tableName: 'weblog_daily',
      description: 'Requests per day, page and HTTP status, written weekly by the transient EMR job',
      format: TableFormat.PARQUET,
      columns: [
        { name: 'page', type: ColumnType.STRING },
        { name: 'status', type: ColumnType.BIGINT },
        { name: 'requests', type: ColumnType.BIGINT },
        { name: 'unique_clients', type: ColumnType.BIGINT },
        { name: 'avg_response_time_ms', type: ColumnType.DOUBLE },
      ],
      partitionKeys: [{
        name: 'dt',
        type: ColumnType.DATE,
        projection: PartitionProjection.date({ rangeStart: 'NOW-3YEARS', rangeEnd: 'NOW', format: 'yyyy-MM-dd' }),
      }],
      bucket: this.curated.bucket,
      prefix: CURATED_PREFIX,
    });
  }

  /** The notes' Data Pipeline example on EventBridge Scheduler + Step Functions: daily log copy, weekly EMR job. */
  private schedule(props: BatchAnalyticsStackProps, key: kms.IKey): ScheduledPipeline {
    const web = props.webServerTag ?? { key: 'role', value: 'web' };
    return new ScheduledPipeline(this, 'Pipeline', {
      activities: [
        {
          name: 'copy-logs',
          work: ActivityWork.runCommandOnInstances({
            tagKey: web.key,
            tagValue: web.value,
            commands: [
              `aws s3 sync /var/log/webapp/ ${this.raw.bucket.s3UrlForObject(RAW_PREFIX)}dt=$(date -u +%F)/ --exclude "*" --include "*.json" --include "*.json.gz" --sse aws:kms --sse-kms-key-id ${key.keyArn}`,
            ],
            timeout: Duration.minutes(30),
          }),
          retry: { maxAttempts: 2, interval: Duration.minutes(5) },
        },
        {
          name: 'emr-analysis',
          work: ActivityWork.runStateMachine(this.job.stateMachine),
          preconditions: [Precondition.s3PrefixExists(this.raw.bucket, RAW_PREFIX)],
          // the job terminates its cluster on failure; a blind re-run would pay for a second cluster
          retry: { maxAttempts: 0 },
        },
      ],
      schedules: [
        { name: 'daily-copy-logs', expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '1' }), activities: ['copy-logs'] },
        { name: 'weekly-emr-analysis', expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', weekDay: 'SUN' }), activities: ['emr-analysis'] },
      ],
      notificationTopic: this.notifications.topic,
      encryptionKey: key,
    });
  }

  private outputs(): void {
    new CfnOutput(this, 'RawZoneUri', { value: this.raw.bucket.s3UrlForObject(RAW_PREFIX), description: 'Raw web logs (JSON lines), one dt=YYYY-MM-DD/ prefix per day' });
    new CfnOutput(this, 'CuratedZoneUri', { value: this.table.location, description: 'Parquet written by the weekly EMR job (table weblogs.weblog_daily)' });
    new CfnOutput(this, 'TlsCertificatesZip', { value: this.operations.bucket.s3UrlForObject(TLS_ZIP), description: 'Upload the PEM zip for EMR in-transit encryption here' });
    new CfnOutput(this, 'EmrJobStateMachine', { value: this.job.stateMachine.stateMachineArn, description: 'Start to run the transient EMR job now' });
    new CfnOutput(this, 'ServerlessJobStateMachine', { value: this.serverlessJob.stateMachine.stateMachineArn, description: 'Start to run the same job on EMR Serverless' });
  }
}

