import { ConstructAlarms, CustomerManagedPolicies, NagAcknowledgements, Sandbox } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bucketStatements, logStatement, schemaStatement, sourceStatements, writablePrefixes } from './delivery-policy';
import { IngestionPlan, planIngestion } from './ingestion-plan';
import { literalPrefix } from './partitioning';
import { StreamCapacity } from './stream-capacity';
import { ColumnarFormat, StreamIngestionProps } from './stream-ingestion-props';
import { DeliveryAlarm, IngestionDestinationConfig } from '../ingestion-destinations/ingestion-destination';

const LOG_STREAM = 'DestinationDelivery';

/** A value for an alarm description: rendered when known, "the threshold" for a token. */
function describe<T extends number | string>(value: T, render: (v: T) => string): string {
  return Token.isUnresolved(value) ? 'the threshold' : render(value);
}
const PERIOD = Duration.minutes(5);

/**
 * Records into a Kinesis data stream, delivered by Firehose to S3 under partitioned,
 * Hive-style prefixes (notes 1.1, 1.2, 2.2, 6.1), or to OpenSearch Service or Redshift
 * through a `destination`.
 *
 * ```
 * producers -> Kinesis data stream (CMK) -> Firehose -> s3://bucket/<prefix>/<field>=.../year=.../month=.../day=.../
 *                                                     \-> s3://bucket/errors/<prefix>/...   (failed records)
 * ```
 *
 * - Stream: on-demand by default, or provisioned with shards computed from a workload;
 *   encrypted with a customer-managed key; RETAINed.
 * - Firehose reads the stream (Kinesis sources cannot use Firehose server-side encryption:
 *   the data stays encrypted in the stream and in S3), optionally partitions records by
 *   JQ-extracted fields (no Lambda), optionally converts JSON to Parquet/ORC with a Glue
 *   schema, compresses, and writes SSE-KMS objects.
 * - One IAM role for Firehose (trusted for this account only), scoped to the stream, the
 *   bucket's data and error prefixes, the key, the log stream and the Glue table, with no
 *   wildcard actions.
 * - Alarms on iterator age, read/write throughput exceeded (dimension StreamName), and
 *   Firehose data freshness and delivery failures (dimension DeliveryStreamName), every one
 *   notifying `alarmTopic` (or a topic the construct creates).
 */
export class StreamIngestion extends Construct {
  /** The Kinesis data stream (new or existing). */
  public readonly stream: kinesis.IStream;
  /** The new stream, when this construct created it. */
  public readonly createdStream?: kinesis.Stream;
  /** The destination bucket (new or existing): the data with S3, the backup or staging part otherwise. */
  public readonly bucket: s3.IBucket;
  /** The SecureBucket, when this construct created it. */
  public readonly secureBucket?: SecureBucket;
  /** The key this construct encrypts with (stream, bucket and logs, unless existing resources bring their own). */
  public readonly encryptionKey: kms.IKey;
  /** The Firehose delivery stream (L1: every property is reachable). */
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  /** Name of the delivery stream. */
  public readonly deliveryStreamName: string;
  /** The role Firehose uses to read the stream and write to its destination. */
  public readonly deliveryRole: iam.Role;
  /** The policy of the delivery role. */
  public readonly deliveryPolicy: iam.Policy;
  /** Firehose error log group. */
  public readonly logGroup: logs.LogGroup;
  /** Capacity of the new stream (mode, shards, and the sizing figures when sized from a workload). */
  public readonly capacity: StreamCapacity;
  /** S3 prefix of delivered objects (with Firehose expressions). */
  public readonly dataPrefix: string;
  /** Base prefix of delivered objects (no expressions), e.g. `clicks/`; empty for the bucket root. */
  public readonly basePrefix: string;
  /** S3 prefix of failed records. */
  public readonly errorOutputPrefix: string;
  /** Partition column names, in prefix order (fields, then year/month/day/hour). */
  public readonly partitionKeys: string[];
  /** Whether Firehose dynamic partitioning is on. */
  public readonly dynamicPartitioning: boolean;
  /** The alarms of this construct, all notifying {@link alarmTopic}. */
  public readonly monitoring: ConstructAlarms;
  /** Alarm: iterator age too high (consumers falling behind; data at risk of expiring); none with `alarms.streamAlarms: false`. */
  public readonly iteratorAgeAlarm?: cloudwatch.Alarm;
  /** Alarm: reads throttled (ReadProvisionedThroughputExceeded); none with `alarms.streamAlarms: false`. */
  public readonly readThrottleAlarm?: cloudwatch.Alarm;
  /** Alarm: writes throttled (WriteProvisionedThroughputExceeded); none with `alarms.streamAlarms: false`. */
  public readonly writeThrottleAlarm?: cloudwatch.Alarm;
  /** Alarm: data in Firehose older than the freshness threshold. */
  public readonly deliveryFreshnessAlarm: cloudwatch.Alarm;
  /** Alarm: a delivery to the destination failed. */
  public readonly deliveryFailureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamIngestionProps = {}) {
    super(scope, id);
    const plan = planIngestion(this, props);
    this.dataPrefix = plan.layout.prefix;
    this.basePrefix = plan.layout.basePrefix;
    this.errorOutputPrefix = plan.layout.errorOutputPrefix;
    this.partitionKeys = plan.layout.partitionKeys;
    this.dynamicPartitioning = plan.dynamicPartitioning;
    this.capacity = props.capacity ?? StreamCapacity.onDemand();

    this.encryptionKey = this.createKey(props);
    [this.stream, this.createdStream] = this.createStream(props, plan);
    [this.bucket, this.secureBucket] = this.createBucket(props);
    const logStream = this.createLogs(props);
    this.logGroup = logStream.logGroup;
    [this.deliveryRole, this.deliveryPolicy] = this.createRole(props, logStream.name);
    const s3Part = this.s3Part(plan);
    const destination = props.destination?.bind(this, {
      role: this.deliveryRole,
      policy: this.deliveryPolicy,
      s3Configuration: s3Part,
      bucket: this.bucket,
      bucketKey: this.objectKey,
      cloudWatchLoggingOptions: s3Part.cloudWatchLoggingOptions as firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty,
      freshnessThresholdSeconds: plan.freshnessSeconds,
    });
    this.deliveryStream = this.createDeliveryStream(props, plan, s3Part, destination);
    this.deliveryStreamName = this.deliveryStream.ref;

    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    if (plan.streamAlarms) [this.iteratorAgeAlarm, this.readThrottleAlarm, this.writeThrottleAlarm] = this.createStreamAlarms(plan);
    [this.deliveryFreshnessAlarm, this.deliveryFailureAlarm] = this.createDeliveryAlarms(plan, destination);
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of this construct. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring.alarms;
  }

  /** The topic every alarm notifies (`alarmTopic`, or the one this construct created). */
  public get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  /** Grants a producer the right to put records into the stream (and encrypt with its key). */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantWrite(grantee);
  }

  /** Grants a consumer the right to read the delivered objects (and decrypt them). */
  public grantReadDelivered(grantee: iam.IGrantable): iam.Grant {
    return this.bucket.grantRead(grantee, `${this.basePrefix}*`);
  }

  /** A Firehose metric of this delivery stream (5-minute periods). */
  public firehoseMetric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName },
      statistic,
      period: PERIOD,
    });
  }

  /** The key objects are encrypted with: the existing bucket's own key, else this construct's. */
  private get objectKey(): kms.IKey {
    return this.bucket.encryptionKey ?? this.encryptionKey;
  }

  private createKey(props: StreamIngestionProps): kms.IKey {
    const key = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(key);
    return key;
  }

  private createStream(props: StreamIngestionProps, plan: IngestionPlan): [kinesis.IStream, kinesis.Stream?] {
    if (props.existingStream) return [props.existingStream, undefined];
    const stream = new kinesis.Stream(this, 'Stream', {
      streamName: props.streamName,
      streamMode: this.capacity.mode,
      shardCount: this.capacity.mode === kinesis.StreamMode.PROVISIONED ? this.capacity.shards : undefined,
      retentionPeriod: Duration.hours(plan.retentionHours ?? 24),
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.encryptionKey,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    NagAcknowledgements.acknowledge(stream, 'AwsSolutions-KDS3',
      'The stream is encrypted with a customer-managed key on purpose (key policy control, rotation, CloudTrail audit shared with the bucket); the per-request KMS cost this warning is about is accepted.');
    return [stream, stream];
  }

  private createBucket(props: StreamIngestionProps): [s3.IBucket, SecureBucket?] {
    if (props.existingBucket) return [props.existingBucket, undefined];
    const secure = new SecureBucket(this, 'Bucket', { encryptionKey: this.encryptionKey, ...props.bucketProps });
    return [secure.bucket, secure];
  }

  private createLogs(props: StreamIngestionProps): { logGroup: logs.LogGroup; name: string } {
    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const logStream = new logs.LogStream(this, 'DeliveryLogStream', { logGroup, logStreamName: LOG_STREAM, removalPolicy: Sandbox.removalPolicy(this) });
    return { logGroup, name: logStream.logStreamName };
  }

  /**
   * The delivery role and its policy. Firehose passes the account id as the external id when it
   * assumes a delivery role (the trust condition AWS documents), so no other account's delivery
   * stream can use this role.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#firehose-assume-role
   */
  private createRole(props: StreamIngestionProps, logStreamName: string): [iam.Role, iam.Policy] {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'DeliveryRole', {
      description: `Firehose delivery role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
    });
    const policy = new iam.Policy(this, 'DeliveryPolicy', { roles: [role] });
    const streamKey = props.existingStream ? props.existingStream.encryptionKey : this.encryptionKey;
    policy.addStatements(...sourceStatements(this.stream, streamKey), logStatement(stack, this.logGroup.logGroupName, logStreamName));
    if (props.formatConversion) policy.addStatements(schemaStatement(stack, props.formatConversion));
    return [role, policy];
  }

  /**
   * The S3 part of the delivery: bucket, prefixes, buffering, compression, encryption and
   * logging, and the role's right to write under the data and error prefixes only.
   */
  private s3Part(plan: IngestionPlan): firehose.CfnDeliveryStream.S3DestinationConfigurationProperty {
    const prefixes = writablePrefixes([plan.layout.basePrefix, literalPrefix(plan.layout.errorOutputPrefix)]);
    this.deliveryPolicy.addStatements(...bucketStatements(this.bucket, this.objectKey, prefixes));
    for (const prefix of prefixes) {
      NagAcknowledgements.objectsUnder(this.deliveryPolicy, this.bucket, prefix,
        `Firehose writes objects under keys it generates from the time and partition expressions below "${prefix}" of this bucket; the wildcard is limited to that prefix (set prefix/errorOutputPrefix to move it).`);
    }
    return {
      bucketArn: this.bucket.bucketArn,
      roleArn: this.deliveryRole.roleArn,
      prefix: plan.layout.prefix,
      errorOutputPrefix: plan.layout.errorOutputPrefix,
      bufferingHints: { intervalInSeconds: plan.bufferingIntervalSeconds, sizeInMBs: plan.bufferingSizeMib },
      compressionFormat: plan.compression.value,
      encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: this.objectKey.keyArn } },
      cloudWatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: LOG_STREAM },
    };
  }

  /**
   * The delivery stream. Deliberately the L1: the L2 `DeliveryStream` has no OpenSearch or
   * Redshift destinations and grants its own, broader, role permissions.
   */
  private createDeliveryStream(props: StreamIngestionProps, plan: IngestionPlan,
    s3Part: firehose.CfnDeliveryStream.S3DestinationConfigurationProperty, destination?: IngestionDestinationConfig): firehose.CfnDeliveryStream {
    const stream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: { kinesisStreamArn: this.stream.streamArn, roleArn: this.deliveryRole.roleArn },
      extendedS3DestinationConfiguration: destination ? undefined : this.extendedS3(props, plan, s3Part),
      amazonopensearchserviceDestinationConfiguration: destination?.openSearch,
      redshiftDestinationConfiguration: destination?.redshift,
    });
    // the role's permissions must exist before Firehose validates them on create
    stream.node.addDependency(this.deliveryPolicy);
    NagAcknowledgements.acknowledge(stream, 'AwsSolutions-KDF1',
      'Firehose server-side encryption cannot be set on a delivery stream whose source is a Kinesis data stream; the source stream and the delivered data are encrypted with customer-managed keys.');
    return stream;
  }

  private extendedS3(props: StreamIngestionProps, plan: IngestionPlan,
    s3Part: firehose.CfnDeliveryStream.S3DestinationConfigurationProperty): firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty {
    return {
      ...s3Part,
      bucketArn: s3Part.bucketArn,
      roleArn: s3Part.roleArn,
      dynamicPartitioningConfiguration: plan.dynamicPartitioning
        ? { enabled: true, retryOptions: { durationInSeconds: plan.retrySeconds } } : undefined,
      processingConfiguration: plan.dynamicPartitioning ? {
        enabled: true,
        processors: [
          {
            type: 'MetadataExtraction',
            parameters: [
              { parameterName: 'MetadataExtractionQuery', parameterValue: plan.layout.jqQuery! },
              { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
            ],
          },
          // newline-delimited JSON objects, so Athena/Glue read one record per line
          ...(props.formatConversion ? [] : [{ type: 'AppendDelimiterToRecord' }]),
        ],
      } : undefined,
      dataFormatConversionConfiguration: props.formatConversion ? {
        enabled: true,
        inputFormatConfiguration: firehose.InputFormat.OPENX_JSON.createInputFormatConfig(),
        outputFormatConfiguration: (props.formatConversion.format === ColumnarFormat.ORC
          ? firehose.OutputFormat.ORC : firehose.OutputFormat.PARQUET).createOutputFormatConfig(),
        schemaConfiguration: {
          catalogId: props.formatConversion.catalogId ?? Aws.ACCOUNT_ID,
          databaseName: props.formatConversion.databaseName,
          tableName: props.formatConversion.tableName,
          region: Aws.REGION,
          roleArn: this.deliveryRole.roleArn,
          versionId: 'LATEST',
        },
      } : undefined,
      s3BackupMode: 'Disabled',
    };
  }

  private createStreamAlarms(plan: IngestionPlan): cloudwatch.Alarm[] {
    const path = this.node.path;
    return [
      this.monitoring.add('IteratorAgeAlarm', {
        metric: this.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: PERIOD }),
        threshold: plan.iteratorAgeMillis,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Records in ${path}'s stream wait more than ${describe(plan.iteratorAgeMillis, (ms) => Duration.millis(ms).toHumanString())} to be read; `
          + 'they expire after the retention period.',
      }),
      this.monitoring.add('ReadThrottleAlarm', {
        metric: this.stream.metricReadProvisionedThroughputExceeded({ statistic: 'Sum', period: PERIOD }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Reads from ${path}'s stream are throttled (ReadProvisionedThroughputExceeded): add shards or use enhanced fan-out.`,
      }),
      this.monitoring.add('WriteThrottleAlarm', {
        metric: this.stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: PERIOD }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Writes to ${path}'s stream are throttled (WriteProvisionedThroughputExceeded): add shards or spread partition keys.`,
      }),
    ];
  }

  /** Freshness and failure alarms of the destination (S3 by default), plus any the destination adds. */
  private createDeliveryAlarms(plan: IngestionPlan, destination?: IngestionDestinationConfig): [cloudwatch.Alarm, cloudwatch.Alarm] {
    const definitions: DeliveryAlarm[] = destination?.alarms ?? [
      {
        id: 'DeliveryFreshnessAlarm',
        metricName: 'DeliveryToS3.DataFreshness',
        statistic: 'Maximum',
        threshold: plan.freshnessSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Data in ${this.node.path}'s Firehose is older than ${describe(plan.freshnessSeconds, (s) => `${s} s`)} before reaching S3.`,
      },
      {
        id: 'DeliveryFailureAlarm',
        metricName: 'DeliveryToS3.Success',
        statistic: 'Minimum',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: `A delivery from ${this.node.path}'s Firehose to S3 failed; failed records go to the ${describe(this.errorOutputPrefix, (p) => p)} prefix after retries.`,
      },
    ];
    const alarms = definitions.map((d) => this.monitoring.add(d.id, {
      metric: this.firehoseMetric(d.metricName, d.statistic),
      threshold: d.threshold,
      comparisonOperator: d.comparisonOperator,
      description: d.description,
    }));
    const byId = (id: string) => alarms.find((a) => a.node.id === id)!;
    return [byId('DeliveryFreshnessAlarm'), byId('DeliveryFailureAlarm')];
  }
}
