import { AlarmNotifications, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as flink from 'aws-cdk-lib/aws-kinesisanalyticsv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Where the application's code (a JAR or ZIP) is. */
export class FlinkCode {
  /** An object in a bucket. */
  public static fromBucket(bucket: s3.IBucket, key: string, objectVersion?: string): FlinkCode {
    return new FlinkCode(bucket, key, objectVersion);
  }

  /** A local file, uploaded as a CDK asset. */
  public static fromAsset(scope: Construct, id: string, path: string): FlinkCode {
    const asset = new s3_assets.Asset(scope, id, { path });
    return new FlinkCode(asset.bucket, asset.s3ObjectKey);
  }

  private constructor(
    /** The bucket. */
    public readonly bucket: s3.IBucket,
    /** The object key. */
    public readonly key: string,
    /** The object version. */
    public readonly objectVersion?: string,
  ) {}
}

/** Props for {@link StreamAnalyticsApplication}. */
export interface StreamAnalyticsApplicationProps {
  /** The application code. */
  readonly code: FlinkCode;
  /**
   * Runtime, `FLINK-<major>_<minor>`.
   * @default 'FLINK-1_20'
   */
  readonly runtime?: string;
  /** Streams the application reads (read permission is granted). */
  readonly inputStreams: kinesis.IStream[];
  /**
   * Streams the application writes.
   * @default - none
   */
  readonly outputStreams?: kinesis.IStream[];
  /**
   * Runtime properties, by property group id (read with `KinesisAnalyticsRuntime.getApplicationProperties()`).
   * @default - none
   */
  readonly propertyGroups?: Record<string, Record<string, string>>;
  /**
   * Initial parallelism, 1-256.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Parallel tasks per KPU, 1-8 (higher for I/O-bound operators).
   * @default 1
   */
  readonly parallelismPerKpu?: number;
  /**
   * KPU limit of the application (AWS's default quota is 64; the notes' 8 is out of date).
   * Parallelism / parallelismPerKpu must fit in it.
   * @default 64
   */
  readonly maxKpus?: number;
  /**
   * Let the service raise parallelism under load.
   * @default true
   */
  readonly autoScaling?: boolean;
  /**
   * Checkpoint interval (exactly-once state recovery).
   * @default Duration.minutes(1)
   */
  readonly checkpointInterval?: Duration;
  /**
   * Customer-managed key for application state (snapshots and running state) and logs.
   * @default - a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Alarm when a Kinesis source lags more than this (`millisBehindLatest`).
   * @default Duration.minutes(5)
   */
  readonly maxLag?: Duration;
  /**
   * Topic for alarm notifications.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A Managed Service for Apache Flink application (formerly Kinesis Data Analytics;
 * notes 4.1) that reads Kinesis data streams: code from S3, parallelism and KPUs
 * checked against the service limits (1 KPU = 1 vCPU, 4 GB memory, 50 GB storage;
 * KPUs = parallelism / parallelism per KPU, plus one billed for orchestration),
 * checkpoints and snapshots on, state and logs encrypted with a customer-managed
 * key, a role limited to the code object, the streams and the log stream, and
 * alarms on downtime, failed checkpoints and source lag.
 *
 * The notes' SQL applications (RANDOM_CUT_FOREST, stagger/tumbling/sliding windows
 * in KDA SQL) are discontinued by AWS; windows are written in Flink (SQL or
 * DataStream API) in the application code.
 */
export class StreamAnalyticsApplication extends Construct {
  /** The application. */
  public readonly application: flink.CfnApplication;
  /** The service execution role. */
  public readonly role: iam.Role;
  /** The application log group. */
  public readonly logGroup: logs.LogGroup;
  /** The key for application state and logs. */
  public readonly encryptionKey: kms.IKey;
  /** KPUs at the initial parallelism (without the orchestration KPU). */
  public readonly initialKpus: number;
  /** Alarms. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StreamAnalyticsApplicationProps) {
    super(scope, id);
    const runtime = props.runtime ?? 'FLINK-1_20';
    Validate.pattern(this, 'runtime', '^FLINK-\\d+_\\d+$', 'a Flink runtime such as FLINK-1_20', runtime);
    const parallelism = props.parallelism ?? 1;
    const perKpu = props.parallelismPerKpu ?? 1;
    const maxKpus = props.maxKpus ?? 64;
    Validate.integer(this, 'parallelism', 1, 256 * 8, parallelism);
    Validate.integer(this, 'parallelismPerKpu', 1, 8, perKpu);
    Validate.integer(this, 'maxKpus', 1, 10_000, maxKpus);
    this.initialKpus = Math.ceil(parallelism / perKpu);
    Validate.that(this, this.initialKpus <= maxKpus, {
      prop: 'parallelism',
      value: parallelism,
      allowed: `at most parallelismPerKpu x maxKpus = ${perKpu * maxKpus} (${this.initialKpus} KPUs needed, limit ${maxKpus})`,
    });
    Validate.count(this, 'inputStreams', 1, 100, props.inputStreams);
    const checkpoint = props.checkpointInterval ?? Duration.minutes(1);
    Validate.integer(this, 'checkpointInterval', 1, 86_400, checkpoint.toSeconds(), 'seconds');
    for (const [group, map] of Object.entries(props.propertyGroups ?? {})) {
      Validate.pattern(this, 'propertyGroups', '^[a-zA-Z0-9_.-]{1,50}$', 'group ids of 1-50 letters, digits, "_", "." or "-"', group);
      Validate.that(this, Object.keys(map).length <= 50, { prop: `propertyGroups.${group}`, value: `${Object.keys(map).length} properties`, allowed: 'at most 50 properties per group' });
    }

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: Sandbox.removalPolicy(this),
    });
    const logStream = new logs.LogStream(this, 'LogStream', { logGroup: this.logGroup, removalPolicy: Sandbox.removalPolicy(this) });

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      description: `Service execution role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    const logGroupArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCode', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [props.code.bucket.arnForObjects(props.code.key)],
        }),
        new iam.PolicyStatement({
          sid: 'WriteLogs',
          actions: ['logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: [logGroupArn, `${logGroupArn}:log-stream:${logStream.logStreamName}`],
        }),
        new iam.PolicyStatement({
          sid: 'UseStateKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [this.encryptionKey.keyArn],
        }),
      ],
    });
    props.code.bucket.encryptionKey?.grantDecrypt(this.role);
    for (const s of props.inputStreams) s.grantRead(this.role);
    for (const s of props.outputStreams ?? []) s.grantWrite(this.role);

    this.application = new flink.CfnApplication(this, 'Application', {
      runtimeEnvironment: runtime,
      serviceExecutionRole: this.role.roleArn,
      applicationDescription: `Flink application ${this.node.path}`,
      applicationConfiguration: {
        applicationCodeConfiguration: {
          codeContentType: 'ZIPFILE',
          codeContent: {
            s3ContentLocation: { bucketArn: props.code.bucket.bucketArn, fileKey: props.code.key, objectVersion: props.code.objectVersion },
          },
        },
        applicationEncryptionConfiguration: { keyType: 'CUSTOMER_MANAGED_KEY', keyId: this.encryptionKey.keyArn },
        applicationSnapshotConfiguration: { snapshotsEnabled: true },
        environmentProperties: props.propertyGroups ? {
          propertyGroups: Object.entries(props.propertyGroups).map(([propertyGroupId, propertyMap]) => ({ propertyGroupId, propertyMap })),
        } : undefined,
        flinkApplicationConfiguration: {
          checkpointConfiguration: {
            configurationType: 'CUSTOM',
            checkpointingEnabled: true,
            checkpointInterval: checkpoint.toMilliseconds(),
            minPauseBetweenCheckpoints: Math.min(5000, checkpoint.toMilliseconds()),
          },
          monitoringConfiguration: { configurationType: 'CUSTOM', logLevel: 'INFO', metricsLevel: 'APPLICATION' },
          parallelismConfiguration: { configurationType: 'CUSTOM', parallelism, parallelismPerKpu: perKpu, autoScalingEnabled: props.autoScaling ?? true },
        },
      },
    });
    this.application.node.addDependency(policy);
    this.application.applyRemovalPolicy(Sandbox.removalPolicy(this));
    const logging = new flink.CfnApplicationCloudWatchLoggingOption(this, 'Logging', {
      applicationName: this.application.ref,
      cloudWatchLoggingOption: { logStreamArn: `${logGroupArn}:log-stream:${logStream.logStreamName}` },
    });
    logging.node.addDependency(this.application);

    const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/KinesisAnalytics', metricName, dimensionsMap: { Application: this.application.ref }, statistic, period: Duration.minutes(5),
    });
    const make = (name: string, m: cloudwatch.Metric, threshold: number, description: string) => m.createAlarm(this, name, {
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: description,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const lag = props.maxLag ?? Duration.minutes(5);
    this.alarms = [
      make('DowntimeAlarm', metric('downtime', 'Maximum'), 0, 'The Flink job is down (failing or restarting).'),
      make('FailedCheckpointsAlarm', metric('numberOfFailedCheckpoints', 'Maximum'), 0, 'Checkpoints fail: state could not be recovered exactly once.'),
      make('SourceLagAlarm', metric('millisBehindLatest', 'Maximum'), lag.toMilliseconds(), `The application reads more than ${lag.toHumanString()} behind the stream.`),
    ];
    AlarmNotifications.notify(this.alarms, props.alarmTopic);
  }
}
