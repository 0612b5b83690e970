import { AlarmNotifications, NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { ArnFormat, Aws, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { partitionLayout, PartitionLayout } from './partitioning';
import { StreamCapacity } from './stream-capacity';
import { ColumnarFormat, StreamIngestionProps } from './stream-ingestion-props';

const FIELD_NAME = '^[a-z][a-z0-9_]{0,127}$';
const BASE_PREFIX = '^[A-Za-z0-9!_.*\'()=/-]*$';
const LOG_STREAM = 'DestinationDelivery';

/**
 * Records into a Kinesis data stream, delivered by Firehose to S3 under
 * partitioned, Hive-style prefixes (notes 1.1, 1.2, 2.2, 6.1).
 *
 * ```
 * producers -> Kinesis data stream (CMK) -> Firehose -> s3://bucket/<prefix>/<field>=.../year=.../month=.../day=.../
 *                                                     \-> s3://bucket/errors/...   (failed records)
 * ```
 *
 * - Stream: on-demand by default, or provisioned with shards computed from a
 *   workload; encrypted with a customer-managed key; RETAINed.
 * - Firehose reads the stream (Kinesis sources cannot use Firehose server-side
 *   encryption: the data stays encrypted in the stream and in S3), optionally
 *   partitions records by JQ-extracted fields (no Lambda), optionally converts
 *   JSON to Parquet/ORC with a Glue schema, compresses, and writes SSE-KMS objects.
 * - One IAM role for Firehose, scoped to the stream, bucket, key, log stream and
 *   Glue table ARNs, with no wildcard actions.
 * - Alarms on iterator age, read/write throughput exceeded (dimension
 *   StreamName), and Firehose data freshness and delivery failures (dimension
 *   DeliveryStreamName), optionally sent to an SNS topic.
 */
export class StreamIngestion extends Construct {
  /** The Kinesis data stream (new or existing). */
  public readonly stream: kinesis.IStream;
  /** The new stream, when this construct created it. */
  public readonly createdStream?: kinesis.Stream;
  /** The destination bucket (new or existing). */
  public readonly bucket: s3.IBucket;
  /** The SecureBucket, when this construct created it. */
  public readonly secureBucket?: SecureBucket;
  /** The key this construct encrypts with (stream, bucket and logs, unless existing resources bring their own). */
  public readonly encryptionKey: kms.IKey;
  /** The Firehose delivery stream (L1: every property is reachable). */
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  /** Name of the delivery stream. */
  public readonly deliveryStreamName: string;
  /** The role Firehose uses to read the stream and write to S3. */
  public readonly deliveryRole: iam.Role;
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
  /** Alarm: iterator age too high (consumers falling behind; data at risk of expiring). */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;
  /** Alarm: reads throttled (ReadProvisionedThroughputExceeded). */
  public readonly readThrottleAlarm: cloudwatch.Alarm;
  /** Alarm: writes throttled (WriteProvisionedThroughputExceeded). */
  public readonly writeThrottleAlarm: cloudwatch.Alarm;
  /** Alarm: data in Firehose older than the freshness threshold. */
  public readonly deliveryFreshnessAlarm: cloudwatch.Alarm;
  /** Alarm: a delivery to S3 failed (DeliveryToS3.Success below 1). */
  public readonly deliveryFailureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamIngestionProps = {}) {
    super(scope, id);
    const layout = this.validate(props);
    this.dataPrefix = layout.prefix;
    this.basePrefix = layout.basePrefix;
    this.errorOutputPrefix = layout.errorOutputPrefix;
    this.partitionKeys = layout.partitionKeys;
    this.dynamicPartitioning = layout.jqQuery !== undefined;
    this.capacity = props.capacity ?? StreamCapacity.onDemand();

    // ---- key, stream, bucket ----
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);

    if (props.existingStream) {
      this.stream = props.existingStream;
    } else {
      this.createdStream = new kinesis.Stream(this, 'Stream', {
        streamName: props.streamName,
        streamMode: this.capacity.mode,
        shardCount: this.capacity.mode === kinesis.StreamMode.PROVISIONED ? this.capacity.shards : undefined,
        retentionPeriod: props.retentionPeriod ?? Duration.hours(24),
        encryption: kinesis.StreamEncryption.KMS,
        encryptionKey: this.encryptionKey,
        removalPolicy: Sandbox.removalPolicy(this),
      });
      this.stream = this.createdStream;
      NagAcknowledgements.acknowledge(this.createdStream, 'AwsSolutions-KDS3',
        'The stream is encrypted with a customer-managed key on purpose (key policy control, rotation, CloudTrail audit shared with the bucket); the per-request KMS cost this warning is about is accepted.');
    }

    if (props.existingBucket) {
      this.bucket = props.existingBucket;
    } else {
      this.secureBucket = new SecureBucket(this, 'Bucket', { encryptionKey: this.encryptionKey, ...props.bucketProps });
      this.bucket = this.secureBucket.bucket;
    }
    const objectKey = this.bucket.encryptionKey ?? this.encryptionKey;

    this.logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const logStream = new logs.LogStream(this, 'DeliveryLogStream', {
      logGroup: this.logGroup,
      logStreamName: LOG_STREAM,
      removalPolicy: Sandbox.removalPolicy(this),
    });

    // ---- least-privilege role ----
    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      description: `Firehose delivery role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
    });
    const policy = new iam.Policy(this, 'DeliveryPolicy', { roles: [this.deliveryRole] });
    this.grantDelivery(policy, objectKey, props, logStream);

    // ---- delivery stream ----
    const interval = props.bufferingInterval ?? Duration.seconds(300);
    const size = props.bufferingSize ?? Size.mebibytes(this.dynamicPartitioning || props.formatConversion ? 64 : 16);
    const compression = props.compression ?? (props.formatConversion ? firehose.Compression.UNCOMPRESSED : firehose.Compression.GZIP);
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: this.stream.streamArn,
        roleArn: this.deliveryRole.roleArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: this.deliveryRole.roleArn,
        prefix: layout.prefix,
        errorOutputPrefix: layout.errorOutputPrefix,
        bufferingHints: { intervalInSeconds: interval.toSeconds(), sizeInMBs: size.toMebibytes() },
        compressionFormat: compression.value,
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: objectKey.keyArn } },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: LOG_STREAM },
        dynamicPartitioningConfiguration: this.dynamicPartitioning ? {
          enabled: true,
          retryOptions: { durationInSeconds: (props.dynamicPartitioningRetryDuration ?? Duration.seconds(300)).toSeconds() },
        } : undefined,
        processingConfiguration: this.dynamicPartitioning ? {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: layout.jqQuery! },
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
      },
    });
    // the role's permissions must exist before Firehose validates them on create
    this.deliveryStream.node.addDependency(policy);
    this.deliveryStreamName = this.deliveryStream.ref;

    NagAcknowledgements.acknowledge(this.deliveryStream, 'AwsSolutions-KDF1',
      'Firehose server-side encryption cannot be set on a delivery stream whose source is a Kinesis data stream; the source stream and the S3 objects are both encrypted with the customer-managed key.');

    // ---- alarms ----
    const alarms = props.alarms ?? {};
    const iteratorAge = alarms.iteratorAge ?? Duration.minutes(15);
    const freshness = alarms.deliveryFreshness ?? Duration.seconds(Math.ceil(interval.toSeconds() * 1.5) + 900);
    Validate.range(this, 'alarms.deliveryFreshness', interval.toSeconds() + 60, 86400, freshness.toSeconds(), 'seconds');
    const fiveMinutes = Duration.minutes(5);
    this.iteratorAgeAlarm = this.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: fiveMinutes })
      .createAlarm(this, 'IteratorAgeAlarm', {
        alarmDescription: `Records in ${this.node.path}'s stream wait more than ${iteratorAge.toHumanString()} to be read; they expire after the retention period.`,
        threshold: iteratorAge.toMilliseconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.readThrottleAlarm = this.stream.metricReadProvisionedThroughputExceeded({ statistic: 'Sum', period: fiveMinutes })
      .createAlarm(this, 'ReadThrottleAlarm', {
        alarmDescription: `Reads from ${this.node.path}'s stream are throttled (ReadProvisionedThroughputExceeded): add shards or use enhanced fan-out.`,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.writeThrottleAlarm = this.stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: fiveMinutes })
      .createAlarm(this, 'WriteThrottleAlarm', {
        alarmDescription: `Writes to ${this.node.path}'s stream are throttled (WriteProvisionedThroughputExceeded): add shards or spread partition keys.`,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.deliveryFreshnessAlarm = this.firehoseMetric('DeliveryToS3.DataFreshness', 'Maximum')
      .createAlarm(this, 'DeliveryFreshnessAlarm', {
        alarmDescription: `Data in ${this.node.path}'s Firehose is older than ${freshness.toSeconds()} s before reaching S3.`,
        threshold: freshness.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.deliveryFailureAlarm = this.firehoseMetric('DeliveryToS3.Success', 'Minimum')
      .createAlarm(this, 'DeliveryFailureAlarm', {
        alarmDescription: `A delivery from ${this.node.path}'s Firehose to S3 failed; failed records go to the ${layout.errorOutputPrefix} prefix after retries.`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    Validate.that(this, Token.isUnresolved(iteratorAge.toMilliseconds()) || iteratorAge.toHours({ integral: false }) < this.retentionHours(props), {
      prop: 'alarms.iteratorAge',
      value: iteratorAge.toHumanString(),
      allowed: `less than the stream retention period (${this.retentionHours(props)} hours)`,
    });

    AlarmNotifications.notify(this.alarms, props.alarmTopic);
  }

  /** Every alarm of this construct. */
  public get alarms(): cloudwatch.Alarm[] {
    return [this.iteratorAgeAlarm, this.readThrottleAlarm, this.writeThrottleAlarm, this.deliveryFreshnessAlarm, this.deliveryFailureAlarm];
  }

  /** Grants a producer the right to put records into the stream (and encrypt with its key). */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantWrite(grantee);
  }

  /** Grants a consumer the right to read the delivered objects (and decrypt them). */
  public grantReadDelivered(grantee: iam.IGrantable): iam.Grant {
    return this.bucket.grantRead(grantee, `${this.basePrefix}*`);
  }

  /** A Firehose metric of this delivery stream. */
  public firehoseMetric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName },
      statistic,
      period: Duration.minutes(5),
    });
  }

  private retentionHours(props: StreamIngestionProps): number {
    return props.existingStream ? 8760 : (props.retentionPeriod ?? Duration.hours(24)).toHours();
  }

  private validate(props: StreamIngestionProps): PartitionLayout {
    if (props.existingStream) {
      for (const p of ['streamName', 'capacity', 'retentionPeriod'] as const) {
        Validate.that(this, props[p] === undefined, {
          prop: p,
          value: 'given',
          allowed: 'not set together with existingStream (configure the existing stream itself)',
        });
      }
    }
    if (props.existingBucket) {
      Validate.that(this, props.bucketProps === undefined, { prop: 'bucketProps', value: 'given', allowed: 'not set together with existingBucket' });
    }
    if (props.retentionPeriod) {
      Validate.integer(this, 'retentionPeriod', 24, 8760, props.retentionPeriod.toHours({ integral: false }), 'hours');
    }
    if (props.capacity?.mode === kinesis.StreamMode.PROVISIONED) {
      Validate.integer(this, 'capacity.shards', 1, 100_000, props.capacity.shards, 'shards');
    }
    if (props.streamName !== undefined) {
      Validate.pattern(this, 'streamName', '^[a-zA-Z0-9_.-]{1,128}$', '1-128 characters: letters, digits, "_", "." and "-"', props.streamName);
    }

    const basePrefix = props.prefix ?? 'data';
    Validate.pattern(this, 'prefix', BASE_PREFIX, 'a plain S3 key prefix (letters, digits, and !_.*\'()=/-) without Firehose expressions', basePrefix);
    Validate.that(this, !basePrefix.startsWith('/'), { prop: 'prefix', value: basePrefix, allowed: 'a prefix that does not start with "/"' });

    const partitioning = props.partitioning ?? {};
    const fields = partitioning.fields ?? [];
    Validate.count(this, 'partitioning.fields', 0, 50, fields);
    Validate.unique(this, 'partitioning.fields[].name', fields.map((f) => f.name));
    fields.forEach((f, i) => {
      Validate.pattern(this, `partitioning.fields[${i}].name`, FIELD_NAME,
        'lower-case letters, digits and "_", starting with a letter, at most 128 characters (Glue/Athena partition column rules)', f.name);
      Validate.that(this, !['year', 'month', 'day', 'hour'].includes(f.name), {
        prop: `partitioning.fields[${i}].name`, value: f.name, allowed: 'a name other than year, month, day and hour (used by the time partitions)',
      });
      if (f.query !== undefined) {
        Validate.that(this, f.query.trim().length > 0 && !/[{}]/.test(f.query), {
          prop: `partitioning.fields[${i}].query`, value: f.query, allowed: 'a non-empty JQ 1.6 expression without braces, e.g. ".device.id"',
        });
      }
    });

    const dynamic = fields.length > 0;
    const interval = props.bufferingInterval?.toSeconds();
    if (dynamic) {
      Validate.integer(this, 'bufferingInterval', 60, 900, interval, 'seconds', 'Dynamic partitioning has no zero buffering.');
    } else {
      Validate.integer(this, 'bufferingInterval', 0, 900, interval, 'seconds');
    }
    const size = props.bufferingSize?.toMebibytes();
    if (dynamic || props.formatConversion) {
      const why = dynamic ? 'Dynamic partitioning' : 'Format conversion';
      Validate.integer(this, 'bufferingSize', 64, 128, size, 'MiB', `${why} needs a buffer of at least 64 MiB.`);
    } else {
      Validate.integer(this, 'bufferingSize', 1, 128, size, 'MiB');
    }
    if (props.dynamicPartitioningRetryDuration) {
      Validate.integer(this, 'dynamicPartitioningRetryDuration', 0, 7200, props.dynamicPartitioningRetryDuration.toSeconds(), 'seconds');
    }

    if (props.formatConversion) {
      const c = props.compression;
      Validate.that(this, c === undefined || c.value === firehose.Compression.UNCOMPRESSED.value, {
        prop: 'compression',
        value: c?.value,
        allowed: 'UNCOMPRESSED with format conversion (Parquet/ORC compress internally with Snappy)',
      });
      Validate.pattern(this, 'formatConversion.databaseName', '^[a-z0-9_]{1,255}$', 'a Glue database name: lower-case letters, digits and "_"', props.formatConversion.databaseName);
      Validate.pattern(this, 'formatConversion.tableName', '^[a-z0-9_]{1,255}$', 'a Glue table name: lower-case letters, digits and "_"', props.formatConversion.tableName);
    }

    if (props.errorOutputPrefix !== undefined) {
      const e = props.errorOutputPrefix;
      Validate.that(this, !e.includes('!{') || e.includes('!{firehose:error-output-type}'), {
        prop: 'errorOutputPrefix', value: e, allowed: 'a prefix that contains !{firehose:error-output-type} when it uses expressions',
      });
      Validate.that(this, !e.includes('partitionKeyFrom'), {
        prop: 'errorOutputPrefix', value: e, allowed: 'a prefix without partitionKeyFromQuery/partitionKeyFromLambda (records that failed partitioning have no keys)',
      });
      Validate.that(this, e.length > 0 && !e.startsWith('/'), { prop: 'errorOutputPrefix', value: e, allowed: 'a non-empty prefix that does not start with "/"' });
    }
    const layout = partitionLayout(basePrefix, partitioning, props.errorOutputPrefix);
    Validate.that(this, layout.prefix.length <= 1024, { prop: 'prefix', value: layout.prefix, allowed: 'at most 1024 characters after partitions are added' });
    return layout;
  }

  private grantDelivery(policy: iam.Policy, objectKey: kms.IKey, props: StreamIngestionProps, logStream: logs.LogStream): void {
    const stack = Stack.of(this);
    // source: read the stream
    policy.addStatements(new iam.PolicyStatement({
      sid: 'ReadSourceStream',
      actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
      resources: [this.stream.streamArn],
    }));
    const streamKey = props.existingStream ? props.existingStream.encryptionKey : this.encryptionKey;
    if (streamKey) {
      policy.addStatements(new iam.PolicyStatement({
        sid: 'DecryptSourceStream',
        actions: ['kms:Decrypt'],
        resources: [streamKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `kinesis.${stack.region}.amazonaws.com` } },
      }));
    }
    // destination: the actions Firehose documents for S3 delivery, nothing more
    policy.addStatements(new iam.PolicyStatement({
      sid: 'WriteDestinationBucket',
      actions: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
      resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
    }));
    policy.addStatements(new iam.PolicyStatement({
      sid: 'EncryptDestinationObjects',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [objectKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
        // with S3 Bucket Keys the context is the bucket ARN, otherwise the object ARN
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [this.bucket.bucketArn, this.bucket.arnForObjects('*')] },
      },
    }));
    policy.addStatements(new iam.PolicyStatement({
      sid: 'WriteErrorLogs',
      actions: ['logs:PutLogEvents'],
      resources: [stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${this.logGroup.logGroupName}:log-stream:${logStream.logStreamName}`,
      })],
    }));
    if (props.formatConversion) {
      const catalog = props.formatConversion.catalogId ?? stack.account;
      const arn = (resource: string, resourceName?: string) => stack.formatArn({ service: 'glue', account: catalog, resource, resourceName });
      policy.addStatements(new iam.PolicyStatement({
        sid: 'ReadConversionSchema',
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          arn('catalog'),
          arn('database', props.formatConversion.databaseName),
          arn('table', `${props.formatConversion.databaseName}/${props.formatConversion.tableName}`),
        ],
      }));
    }
    const reason = 'Firehose writes objects under keys it generates from the partition and time expressions; the object-level ARN must end with a wildcard. It is the only wildcard in this policy.';
    const bucketResource = this.bucket.node.defaultChild as s3.CfnBucket | undefined;
    if (bucketResource) {
      NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucketResource)}.Arn>/*]`, reason);
    } else {
      NagAcknowledgements.acknowledge(policy, 'AwsSolutions-IAM5', reason);
    }

  }
}
