import * as fs from 'fs';
import * as path from 'path';
import { FlinkCode, SearchDomain, StreamAnalyticsApplication } from '@analytics-patterns/analysis';
import {
  DeviceIngestionRule, DevicePartitionKey, IndexRotation, OpenSearchDestination, SecureQueue, StreamConsumer, StreamIngestion,
} from '@analytics-patterns/collection';
import {
  AlarmTopic, ContextValues, CustomerManagedPolicies, NagAcknowledgements, Sandbox, SandboxLifetime, Validate, VpcFlowLogs,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { WorkloadSizedTable } from '@analytics-patterns/storage';
import { CfnOutput, Duration, Size, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FlinkJobPackage, packageFlinkJob } from './flink-job';

/** MQTT topic filter devices publish to: `devices/<deviceId>/telemetry`. */
export const TELEMETRY_TOPIC_FILTER = 'devices/+/telemetry';
/** The OpenSearch index Firehose writes results to (rotated daily: `device-metrics-YYYY-MM-DD`). */
export const RESULTS_INDEX = 'device-metrics';
/** The Flink job's property group (read by flink/main.py). */
export const JOB_PROPERTY_GROUP = 'RealTimeAnalytics';
/** The run options Managed Service for Apache Flink reads for a Python application. */
export const RUN_OPTIONS_GROUP = 'kinesis.analytics.flink.run.options';

/**
 * The job's settings (flink/main.py documents each): one-minute tumbling windows; a reading is an
 * anomaly when it is 3 standard deviations or more from the mean of the device's 60 preceding
 * readings (at least 20 of them).
 */
export const JOB_SETTINGS: Record<string, string> = {
  'source.init.position': 'TRIM_HORIZON',
  'window.seconds': '60',
  'history.readings': '60',
  'min.history.readings': '20',
  'zscore.threshold': '3',
};

/**
 * The fleet the device state table is sized for (notes 2.3: capacity from the workload):
 * 1,000 devices, each producing one window result a minute (17 writes/s, plus anomalies: 20
 * writes/s of items under 1 KB), and dashboards reading 10 device states a second, eventually
 * consistent.
 */
export const DEVICE_STATE_WORKLOAD = {
  writes: { itemSizeKb: 1, writesPerSecond: 20 },
  reads: { itemSizeKb: 1, readsPerSecond: 10 },
};

/** The pre-built device state handler (lambda/build.js, run after `npm ci` and before the tests). */
export const DEVICE_STATE_CODE_DIR = path.join(__dirname, '..', 'lambda-dist', 'device-state');

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** Props for {@link RealTimeAnalyticsStack}. */
export interface RealTimeAnalyticsStackProps extends StackProps {
  /** E-mail addresses that receive alarm notifications. Default: context `alarm-emails` (comma-separated), else none. */
  readonly alarmEmails?: string[];
  /**
   * Path of the Flink Kinesis SQL connector JAR (`flink-sql-connector-kinesis-5.0.0-1.20.jar`) to
   * put in the job's zip. A path given here or in the context must exist.
   * Default: context `flink-connector-jar`, else `apps/real-time-analytics/flink/lib/<jar>` if
   * it is there (otherwise the stack synthesizes with a warning, and the job cannot start).
   */
  readonly flinkConnectorJar?: string;
  /**
   * ARN of the IAM role that becomes the OpenSearch fine-grained access control master user:
   * the role you use in the console, so that you can query and map roles from CloudShell
   * without assuming another role. Default: context `opensearch-admin-arn`, else a new role
   * that only principals of this account tagged `analytics-patterns:search-admin` = `true` may assume.
   */
  readonly openSearchAdminArn?: string;
}

/**
 * Reference app: real-time analytics of device telemetry (notes 1.1, 1.3, 1.4, 2.3, 4.1, 4.2).
 *
 * ```
 * devices --MQTT devices/<id>/telemetry--> IoT rule (deviceId from the topic, broker timestamp)
 *   --> Kinesis stream Telemetry --> Managed Flink (PyFlink SQL): 1-minute tumbling windows per
 *       device + z-score anomalies against the device's last 60 readings
 *   --> Kinesis stream Results --> Firehose --> OpenSearch index device-metrics-YYYY-MM-DD
 *                                   (failed documents backed up to S3)
 *                              --> StreamConsumer (idempotent Lambda) --> DynamoDB device state
 *                                                                     --> SQS alerts (anomalies)
 * ```
 */
export class RealTimeAnalyticsStack extends Stack {
  public readonly encryptionKey: kms.IKey;
  public readonly alarmTopic: AlarmTopic;
  public readonly vpc: ec2.Vpc;
  public readonly telemetry: kinesis.Stream;
  public readonly deviceRule: DeviceIngestionRule;
  public readonly search: SearchDomain;
  public readonly results: StreamIngestion;
  public readonly flinkJob: FlinkJobPackage;
  public readonly analytics: StreamAnalyticsApplication;
  public readonly deviceState: WorkloadSizedTable;
  public readonly alerts: SecureQueue;
  public readonly consumer: StreamConsumer;
  /** Security group for a CloudShell VPC environment (or any client) that queries the domain. */
  public readonly labClientSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RealTimeAnalyticsStackProps = {}) {
    super(scope, id, {
      description: 'analytics-patterns reference app: real-time analytics (IoT -> Kinesis -> Managed Flink -> OpenSearch, DynamoDB, SQS)',
      ...props,
    });
    this.encryptionKey = new DataKey(this, 'DataKey', { alias: 'analytics-patterns/real-time-analytics', description: 'Real-time analytics data key' }).key;
    const emails = props.alarmEmails ?? ContextValues.list(this, 'alarm-emails');
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { encryptionKey: this.encryptionKey, emails });

    this.vpc = this.createVpc();
    this.telemetry = this.createTelemetryStream();
    this.deviceRule = new DeviceIngestionRule(this, 'DeviceIngestion', {
      stream: this.telemetry,
      topicFilter: TELEMETRY_TOPIC_FILTER,
      // the device id comes from the topic and the time from the broker, not from the payload
      select: 'topic(2) AS deviceId, timestamp() AS ts, temperature',
      where: 'isNumber(temperature)',
      partitionKey: DevicePartitionKey.TOPIC,
      ruleName: 'real_time_analytics_telemetry',
      encryptionKey: this.encryptionKey,
    });

    [this.search, this.labClientSecurityGroup] = this.createSearchDomain(props);
    this.results = new StreamIngestion(this, 'Results', {
      encryptionKey: this.encryptionKey,
      prefix: 'opensearch-failed',
      destination: new OpenSearchDestination({
        domain: this.search.domain,
        indexName: RESULTS_INDEX,
        indexRotation: IndexRotation.ONE_DAY,
        bufferingInterval: Duration.seconds(60),
        bufferingSize: Size.mebibytes(5),
      }),
      alarmTopic: this.alarmTopic.topic,
    });

    this.flinkJob = packageFlinkJob(this, props.flinkConnectorJar ?? ContextValues.string(this, 'flink-connector-jar'));
    this.analytics = this.createFlinkApplication();

    this.deviceState = new WorkloadSizedTable(this, 'DeviceState', {
      partitionKey: { name: 'deviceId', type: dynamodb.AttributeType.STRING },
      workload: DEVICE_STATE_WORKLOAD,
      encryptionKey: this.encryptionKey,
    });
    this.alerts = new SecureQueue(this, 'Alerts', { encryptionKey: this.encryptionKey, alarmTopic: this.alarmTopic.topic });
    this.consumer = this.createConsumer();

    this.createOutputs();
    // sandbox mode only: -c analytics-patterns:sandbox-ttl-hours=N and -c analytics-patterns:budget-usd=AMOUNT
    SandboxLifetime.apply(this, { budgetEmails: emails });
  }

  /**
   * Two isolated subnets (no NAT gateway, nothing reaches the internet): the OpenSearch domain,
   * Firehose's network interfaces and a CloudShell VPC environment live there.
   */
  private createVpc(): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'search', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
    });
    vpc.addFlowLog('FlowLogs', {
      destination: VpcFlowLogs.toCloudWatchLogs(vpc, 'FlowLogsRole', new logs.LogGroup(this, 'FlowLogGroup', {
        encryptionKey: this.encryptionKey, retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: Sandbox.removalPolicy(this),
      })),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    // the flow log role's policy: inline by default, customer-managed with the context flag
    CustomerManagedPolicies.apply(vpc);
    return vpc;
  }

  /** On-demand (no shards to size), encrypted with the data key, 24 hours of replay. */
  private createTelemetryStream(): kinesis.Stream {
    const stream = new kinesis.Stream(this, 'Telemetry', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.encryptionKey,
      retentionPeriod: Duration.hours(24),
      removalPolicy: Sandbox.removalPolicy(this),
    });
    NagAcknowledgements.acknowledge(stream, 'AwsSolutions-KDS3',
      'The stream is encrypted with the app\'s customer-managed data key on purpose (rotation, key policy, one key for the whole pipeline), not the AWS managed aws/kinesis key.');
    return stream;
  }

  /**
   * A small two-zone domain for the lab: 2 t3.medium data nodes, 3 t3.small dedicated masters,
   * 10 GiB gp3 each. The lab client security group may reach it on HTTPS.
   */
  private createSearchDomain(props: RealTimeAnalyticsStackProps): [SearchDomain, ec2.SecurityGroup] {
    const adminArn = props.openSearchAdminArn ?? ContextValues.string(this, 'opensearch-admin-arn');
    if (adminArn !== undefined && !Token.isUnresolved(adminArn)) {
      Validate.pattern(this, 'openSearchAdminArn', ROLE_ARN.source, 'an IAM role ARN', adminArn);
    }
    const search = new SearchDomain(this, 'Search', {
      vpc: this.vpc,
      availabilityZoneCount: 2,
      dataNodes: 2,
      dataNodeInstanceType: 't3.medium.search',
      masterNodes: 3,
      masterNodeInstanceType: 't3.small.search',
      volumeSizeGiB: 10,
      encryptionKey: this.encryptionKey,
      adminRole: adminArn ? iam.Role.fromRoleArn(this, 'SearchAdmin', adminArn, { mutable: false }) : undefined,
      alarmTopic: this.alarmTopic.topic,
    });
    const client = new ec2.SecurityGroup(this, 'LabClient', {
      vpc: this.vpc, description: 'Lab clients (CloudShell VPC environment): HTTPS to the OpenSearch domain only', allowAllOutbound: false,
    });
    // both sides: ingress on the domain's group, egress (its only one) on the client's
    search.connections.allowDefaultPortFrom(client, 'HTTPS from lab clients');
    return [search, client];
  }

  /** The PyFlink job: reads Telemetry, writes window and anomaly results to the Results stream. */
  private createFlinkApplication(): StreamAnalyticsApplication {
    const job = this.flinkJob;
    const application = new StreamAnalyticsApplication(this, 'StreamAnalytics', {
      // a known name: the key policy and the role's trust name this application, not application/*
      applicationName: `${this.stackName}-device-analytics`,
      code: FlinkCode.fromBucket(job.asset.bucket, job.asset.s3ObjectKey),
      runtime: 'FLINK-1_20',
      inputStreams: [this.telemetry],
      outputStreams: [this.results.stream],
      propertyGroups: {
        [RUN_OPTIONS_GROUP]: { python: job.pythonFile, jarfile: job.jarFile },
        [JOB_PROPERTY_GROUP]: {
          'input.stream.arn': this.telemetry.streamArn,
          'output.stream.arn': this.results.stream.streamArn,
          'aws.region': this.region,
          'connector.jar': job.jarFile,
          ...JOB_SETTINGS,
        },
      },
      // one KPU for the job plus the orchestration KPU; no auto scaling, so the lab's cost is bounded
      parallelism: 1,
      parallelismPerKpu: 1,
      maxKpus: 2,
      autoScaling: false,
      checkpointInterval: Duration.minutes(1),
      maxLag: Duration.minutes(5),
      encryptionKey: this.encryptionKey,
      alarmTopic: this.alarmTopic.topic,
    });
    // Kinesis' grantWrite on the (CMK-encrypted) output stream, inside StreamAnalyticsApplication
    const reason = 'Added by Kinesis Stream.grantWrite for the Results stream (the Flink job\'s output): encrypting the records it puts, scoped to the app\'s data key.';
    NagAcknowledgements.wildcardAction(application.role, 'kms:ReEncrypt*', reason);
    NagAcknowledgements.wildcardAction(application.role, 'kms:GenerateDataKey*', reason);
    return application;
  }

  /** The idempotent consumer of the results: device state upserts and anomaly alerts. */
  private createConsumer(): StreamConsumer {
    const consumer = new StreamConsumer(this, 'DeviceStateConsumer', {
      stream: this.results.stream,
      code: lambda.Code.fromAsset(deviceStateCodeDir()),
      encryptionKey: this.encryptionKey,
      alarmTopic: this.alarmTopic.topic,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(5),
    });
    consumer.consumerFunction.addEnvironment('STATE_TABLE_NAME', this.deviceState.table.tableName);
    consumer.consumerFunction.addEnvironment('ALERT_QUEUE_URL', this.alerts.queue.queueUrl);
    this.alerts.grantSendMessages(consumer.role);
    this.grantDeviceStateUpdates(consumer.role);
    return consumer;
  }

  /** UpdateItem on the device state table only (over TLS), and the table's key through DynamoDB. */
  private grantDeviceStateUpdates(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'UpdateDeviceState',
      actions: ['dynamodb:UpdateItem'],
      resources: [this.deviceState.table.tableArn],
      conditions: { Bool: { 'aws:SecureTransport': 'true' } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DeviceStateKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [this.deviceState.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
    }));
  }

  private createOutputs(): void {
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('TelemetryTopic', 'devices/<deviceId>/telemetry', 'Publish {"temperature": <number>} here (aws iot-data publish)');
    out('TelemetryStreamName', this.telemetry.streamName, 'Or put {"deviceId", "ts", "temperature"} records here (npx produce)');
    out('FlinkApplicationName', this.analytics.application.ref, 'Start it: aws kinesisanalyticsv2 start-application --application-name <name>');
    out('FlinkLogGroupName', this.analytics.logGroup.logGroupName, 'The Flink job\'s log (start-up errors, exceptions)');
    out('FlinkConnectorJar', this.flinkJob.connectorIncluded ? `included (${this.flinkJob.jarFile})` : 'MISSING: the job cannot start (see LAB.md)',
      'Whether the Kinesis SQL connector is in the job\'s zip');
    out('ResultsStreamName', this.results.stream.streamName, 'Window and anomaly results of the Flink job');
    out('SearchDomainEndpoint', this.search.domain.domainEndpoint, 'VPC endpoint of the OpenSearch domain (query it from a CloudShell VPC environment)');
    out('SearchAdminRoleArn', this.search.adminRole.roleArn, 'Fine-grained access control master user');
    out('FirehoseRoleArn', this.results.deliveryRole.roleArn, 'Map it to an OpenSearch role that may write device-metrics* (LAB.md)');
    out('FailedDocumentsLocation', this.results.bucket.s3UrlForObject(this.results.basePrefix), 'Documents OpenSearch refused');
    out('DeviceStateTableName', this.deviceState.table.tableName, 'Latest window and anomaly count per device');
    out('AlertQueueUrl', this.alerts.queue.queueUrl, 'Anomaly alerts');
    out('LabClientSecurityGroupId', this.labClientSecurityGroup.securityGroupId, 'Security group for a CloudShell VPC environment');
    out('LabSubnetIds', this.vpc.isolatedSubnets.map((s) => s.subnetId).join(','), 'Subnets for a CloudShell VPC environment');
    out('VpcId', this.vpc.vpcId, 'VPC of the domain');
  }
}

/** The pre-built handler's folder, or a clear error when `npm ci` (prepare) has not built it. */
function deviceStateCodeDir(): string {
  if (!fs.existsSync(path.join(DEVICE_STATE_CODE_DIR, 'index.js'))) {
    throw new Error(`The device state handler is not built (${DEVICE_STATE_CODE_DIR} is missing): run \`node apps/real-time-analytics/lambda/build.js\` `
      + '(npm ci runs it, as does the test setup).');
  }
  return DEVICE_STATE_CODE_DIR;
}

