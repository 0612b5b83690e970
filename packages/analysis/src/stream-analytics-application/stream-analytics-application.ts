import {
  ConstructAlarms, CustomerManagedPolicies, FlinkLimits, Sandbox, TimeUnit, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as flink from 'aws-cdk-lib/aws-kinesisanalyticsv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FLINK_SERVICE, flinkKeyPolicyStatements } from './flink-key-policy';
import { StreamAnalyticsApplicationProps } from './stream-analytics-application-props';

/** A positive whole number of milliseconds (an alarm threshold: any such value is valid). */
const POSITIVE_MS = { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'ms', integer: true };

/** Settings resolved from the props (numbers may be tokens). */
interface FlinkSettings {
  readonly runtime: string;
  readonly parallelism: number;
  readonly perKpu: number;
  readonly checkpointMs: number;
  readonly maxLagMs: number;
}

/**
 * A Managed Service for Apache Flink application (formerly Kinesis Data Analytics;
 * notes 4.1) that reads Kinesis data streams: code from S3, parallelism and KPUs
 * checked against the service limits (1 KPU = 1 vCPU, 4 GB memory, 50 GB storage;
 * KPUs = parallelism / parallelism per KPU, plus one billed for orchestration),
 * checkpoints and snapshots on, state and logs encrypted with a customer-managed
 * key whose policy lets the service use it for this application only (by encryption
 * context), a role limited to the code object, the streams and the log stream, and
 * alarms on downtime, failed checkpoints and source lag that notify a topic.
 *
 * The notes' SQL applications (RANDOM_CUT_FOREST, stagger/tumbling/sliding windows
 * in KDA SQL) are discontinued by AWS; windows are written in Flink (SQL or
 * DataStream API) in the application code. The notes' limit of 8 KPUs is out of date:
 * AWS's default quota is 64 KPUs per application.
 */
export class StreamAnalyticsApplication extends Construct {
  /** The application. */
  public readonly application: flink.CfnApplication;
  /** ARN of the application. */
  public readonly applicationArn: string;
  /** The service execution role. */
  public readonly role: iam.Role;
  /** The application log group. */
  public readonly logGroup: logs.LogGroup;
  /** The log stream the application writes. */
  public readonly logStream: logs.LogStream;
  /** The key for application state, logs and the alarm topic. */
  public readonly encryptionKey: kms.IKey;
  /** KPUs at the initial parallelism (without the orchestration KPU); undefined when a token decides it. */
  public readonly initialKpus?: number;
  /** The construct's alarms and the topic they notify. */
  public readonly monitoring: ConstructAlarms;

  /** ARN, or pattern of ARNs, the key policy and trust policy are limited to. */
  private readonly applicationArnPattern: string;

  constructor(scope: Construct, id: string, props: StreamAnalyticsApplicationProps) {
    super(scope, id);
    const settings = this.validate(props);
    this.initialKpus = kpusFor(settings);
    this.applicationArnPattern = this.arnOf(props.applicationName ?? '*');
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.allowServiceToUseKey();
    this.logGroup = this.createLogGroup();
    this.logStream = new logs.LogStream(this, 'LogStream', { logGroup: this.logGroup, removalPolicy: Sandbox.removalPolicy(this) });
    this.role = this.createRole();
    const policy = this.createPolicy(props);
    this.application = this.createApplication(props, settings);
    this.application.node.addDependency(policy);
    this.applicationArn = this.arnOf(this.application.ref);
    this.createLoggingOption();
    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    this.createAlarms(settings);
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of the application. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring.alarms;
  }

  /** The topic every alarm notifies. */
  public get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  private validate(props: StreamAnalyticsApplicationProps): FlinkSettings {
    const runtime = props.runtime ?? 'FLINK-1_20';
    Validate.resourceName(this, 'runtime', runtime, FlinkLimits.RUNTIME);
    Validate.resourceName(this, 'applicationName', props.applicationName, FlinkLimits.APPLICATION_NAME);
    const parallelism = props.parallelism ?? 1;
    const perKpu = props.parallelismPerKpu ?? 1;
    const maxKpus = props.maxKpus ?? FlinkLimits.DEFAULT_KPU_QUOTA;
    Validate.number(this, parallelism, { prop: 'parallelism', ...FlinkLimits.PARALLELISM });
    Validate.number(this, perKpu, { prop: 'parallelismPerKpu', ...FlinkLimits.PARALLELISM_PER_KPU });
    Validate.number(this, maxKpus, { prop: 'maxKpus', ...FlinkLimits.KPUS_PER_APPLICATION });
    const kpus = kpusFor({ parallelism, perKpu });
    if (kpus !== undefined && !Token.isUnresolved(maxKpus)) {
      Validate.that(this, kpus <= maxKpus, {
        prop: 'parallelism',
        value: parallelism,
        allowed: `at most parallelismPerKpu x maxKpus = ${perKpu * maxKpus} (${kpus} KPUs needed, limit ${maxKpus})`,
      });
    }
    const streams = FlinkLimits.STREAMS_PER_APPLICATION;
    Validate.count(this, 'inputStreams', streams.min, streams.max, props.inputStreams);
    Validate.count(this, 'inputStreams + outputStreams', streams.min, streams.max, [...props.inputStreams, ...(props.outputStreams ?? [])]);
    this.validatePropertyGroups(props.propertyGroups ?? {});
    const checkpointMs = Validate.duration(this, props.checkpointInterval ?? Duration.minutes(1),
      { prop: 'checkpointInterval', in: TimeUnit.MILLISECONDS, ...FlinkLimits.CHECKPOINT_INTERVAL_MS })!;
    const maxLagMs = Validate.duration(this, props.maxLag ?? Duration.minutes(5), { prop: 'maxLag', in: TimeUnit.MILLISECONDS, ...POSITIVE_MS })!;
    return { runtime, parallelism, perKpu, checkpointMs, maxLagMs };
  }

  private validatePropertyGroups(groups: Record<string, Record<string, string>>): void {
    const ids = Object.keys(groups);
    Validate.count(this, 'propertyGroups', FlinkLimits.PROPERTY_GROUPS.min, FlinkLimits.PROPERTY_GROUPS.max, ids);
    for (const id of ids) {
      Validate.resourceName(this, 'propertyGroups', id, FlinkLimits.PROPERTY_GROUP_ID);
      const entries = Object.entries(groups[id]);
      Validate.that(this, entries.length <= FlinkLimits.PROPERTIES_PER_GROUP.max, {
        prop: `propertyGroups.${id}`, value: `${entries.length} properties`, allowed: `at most ${FlinkLimits.PROPERTIES_PER_GROUP.max} properties per group`,
      });
      for (const [key, value] of entries) {
        Validate.resourceName(this, `propertyGroups.${id} key`, key, FlinkLimits.PROPERTY_KEY_OR_VALUE);
        Validate.resourceName(this, `propertyGroups.${id}.${key}`, value, FlinkLimits.PROPERTY_KEY_OR_VALUE);
      }
    }
  }

  private arnOf(applicationName: string): string {
    return Stack.of(this).formatArn({ service: 'kinesisanalytics', resource: 'application', resourceName: applicationName });
  }

  /**
   * Lets the service principals use the key for this application's state. A key of another
   * stack or an imported key cannot be changed here: a warning says what its policy needs.
   */
  private allowServiceToUseKey(): void {
    const statements = flinkKeyPolicyStatements(this.applicationArnPattern, Stack.of(this).account);
    const added = statements.map((s) => this.encryptionKey.addToResourcePolicy(s).statementAdded);
    if (added.some((a) => !a)) {
      Annotations.of(this).addWarningV2('@analytics-patterns/analysis:FlinkKeyPolicy',
        `The key ${this.encryptionKey.node.path} is imported: its key policy must let ${FLINK_SERVICE} and infrastructure.${FLINK_SERVICE} use it `
        + 'for this application (DescribeKey, GenerateDataKey, Decrypt, GenerateDataKeyWithoutPlaintext, CreateGrant), '
        + 'or the service rejects the key. See https://docs.aws.amazon.com/managed-flink/latest/java/manage-cmk-api.html');
    }
  }

  private createLogGroup(): logs.LogGroup {
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    return new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: Sandbox.removalPolicy(this),
    });
  }

  /** The service execution role, trusted by the service for applications of this account (and name, when given). */
  private createRole(): iam.Role {
    return new iam.Role(this, 'Role', {
      description: `Service execution role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal(FLINK_SERVICE, {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': this.applicationArnPattern },
        },
      }),
    });
  }

  /** What the application needs at run time: its code, its log stream, its streams and their keys. */
  private createPolicy(props: StreamAnalyticsApplicationProps): iam.Policy {
    const stack = Stack.of(this);
    const logGroupArn = this.logGroupArn();
    const policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCode', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [props.code.bucket.arnForObjects(props.code.key)],
        }),
        new iam.PolicyStatement({
          sid: 'WriteLogs',
          actions: ['logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: [logGroupArn, `${logGroupArn}:log-stream:${this.logStream.logStreamName}`],
        }),
        new iam.PolicyStatement({
          sid: 'DescribeStateKey',
          actions: ['kms:DescribeKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `kinesisanalytics.${stack.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'UseStateKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `kinesisanalytics.${stack.region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:kinesisanalytics:arn': this.applicationArnPattern },
          },
        }),
      ],
    });
    const codeKey = props.code.bucket.encryptionKey;
    if (codeKey) {
      policy.addStatements(new iam.PolicyStatement({
        sid: 'DecryptCode',
        actions: ['kms:Decrypt'],
        resources: [codeKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }));
    }
    for (const s of props.inputStreams) s.grantRead(this.role);
    for (const s of props.outputStreams ?? []) s.grantWrite(this.role);
    return policy;
  }

  private logGroupArn(): string {
    return Stack.of(this).formatArn({
      service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private createApplication(props: StreamAnalyticsApplicationProps, s: FlinkSettings): flink.CfnApplication {
    const groups = props.propertyGroups;
    const minPause = Token.isUnresolved(s.checkpointMs)
      ? FlinkLimits.DEFAULT_MIN_PAUSE_BETWEEN_CHECKPOINTS_MS
      : Math.min(FlinkLimits.DEFAULT_MIN_PAUSE_BETWEEN_CHECKPOINTS_MS, s.checkpointMs);
    const application = new flink.CfnApplication(this, 'Application', {
      applicationName: props.applicationName,
      runtimeEnvironment: s.runtime,
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
        environmentProperties: groups ? {
          propertyGroups: Object.entries(groups).map(([propertyGroupId, propertyMap]) => ({ propertyGroupId, propertyMap })),
        } : undefined,
        flinkApplicationConfiguration: {
          checkpointConfiguration: {
            configurationType: 'CUSTOM', checkpointingEnabled: true, checkpointInterval: s.checkpointMs, minPauseBetweenCheckpoints: minPause,
          },
          monitoringConfiguration: { configurationType: 'CUSTOM', logLevel: 'INFO', metricsLevel: 'APPLICATION' },
          parallelismConfiguration: {
            configurationType: 'CUSTOM', parallelism: s.parallelism, parallelismPerKpu: s.perKpu, autoScalingEnabled: props.autoScaling ?? true,
          },
        },
      },
    });
    application.applyRemovalPolicy(Sandbox.removalPolicy(this));
    return application;
  }

  private createLoggingOption(): void {
    const logging = new flink.CfnApplicationCloudWatchLoggingOption(this, 'Logging', {
      applicationName: this.application.ref,
      cloudWatchLoggingOption: { logStreamArn: `${this.logGroupArn()}:log-stream:${this.logStream.logStreamName}` },
    });
    logging.node.addDependency(this.application);
  }

  private createAlarms(s: FlinkSettings): void {
    const metric = (metricName: string) => new cloudwatch.Metric({
      namespace: 'AWS/KinesisAnalytics', metricName, dimensionsMap: { Application: this.application.ref }, statistic: 'Maximum', period: Duration.minutes(5),
    });
    const gt = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const lag = Token.isUnresolved(s.maxLagMs) ? 'the configured maximum lag' : Duration.millis(s.maxLagMs).toHumanString();
    this.monitoring.add('DowntimeAlarm', {
      metric: metric('downtime'), threshold: 0, comparisonOperator: gt, description: 'The Flink job is down (failing or restarting).',
    });
    this.monitoring.add('FailedCheckpointsAlarm', {
      metric: metric('numberOfFailedCheckpoints'),
      threshold: 0,
      comparisonOperator: gt,
      description: 'Checkpoints fail: state could not be recovered exactly once.',
    });
    this.monitoring.add('SourceLagAlarm', {
      metric: metric('millisBehindLatest'),
      threshold: s.maxLagMs,
      comparisonOperator: gt,
      description: `The application reads more than ${lag} behind the stream.`,
    });
  }
}

/** KPUs for a parallelism, or undefined when a token decides it. */
function kpusFor(s: Pick<FlinkSettings, 'parallelism' | 'perKpu'>): number | undefined {
  if (Token.isUnresolved(s.parallelism) || Token.isUnresolved(s.perKpu)) return undefined;
  return Math.ceil(s.parallelism / s.perKpu);
}
