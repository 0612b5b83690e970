import { SecureBucketProps } from '@analytics-patterns/storage';
import { Duration, Size } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PartitioningOptions } from './partitioning';
import { StreamCapacity } from './stream-capacity';
import { IIngestionDestination } from '../ingestion-destinations/ingestion-destination';

/** Columnar output format for Firehose record format conversion. */
export enum ColumnarFormat {
  /** Apache Parquet (Snappy-compressed). */
  PARQUET = 'PARQUET',
  /** Apache ORC (Snappy-compressed). */
  ORC = 'ORC',
}

/**
 * Convert JSON records to Parquet or ORC with the schema of a Glue table
 * (Firehose record format conversion, notes 1.2 and 2.1).
 */
export interface FormatConversionOptions {
  /** Output format. */
  readonly format: ColumnarFormat;
  /** Glue database of the schema table. */
  readonly databaseName: string;
  /** Glue table whose columns define the schema. */
  readonly tableName: string;
  /**
   * Catalog (account) id of the Glue Data Catalog.
   * @default - this stack's account
   */
  readonly catalogId?: string;
}

/** Alarm thresholds. */
export interface IngestionAlarmOptions {
  /**
   * Alarm when the oldest unread record in the stream is older than this
   * (`GetRecords.IteratorAgeMilliseconds`, maximum over 5 minutes). Must be below the retention period.
   * @default Duration.minutes(15)
   */
  readonly iteratorAge?: Duration;
  /**
   * Alarm when data in Firehose is older than this before reaching S3
   * (`DeliveryToS3.DataFreshness`, maximum over 5 minutes).
   * @default - 1.5 x the buffering interval (multi-stage buffering with dynamic partitioning) + 15 minutes
   */
  readonly deliveryFreshness?: Duration;
  /**
   * Alarm on the stream itself: iterator age and read/write throttling. Turn off when another
   * construct already alarms on the same stream, e.g. for a second delivery from it (another
   * StreamIngestion with `existingStream`): those metrics belong to the stream, not to this
   * delivery, so the same alarms would fire twice. `iteratorAge` must then be unset.
   * @default true
   */
  readonly streamAlarms?: boolean;
}

/** Props for {@link StreamIngestion}. */
export interface StreamIngestionProps {
  /**
   * Use this stream instead of creating one (its encryption is then yours).
   * @default - a new encrypted stream
   */
  readonly existingStream?: kinesis.IStream;

  /**
   * Name of the new stream.
   * @default - generated
   */
  readonly streamName?: string;

  /**
   * Capacity of the new stream.
   * @default StreamCapacity.onDemand()
   */
  readonly capacity?: StreamCapacity;

  /**
   * Retention of the new stream: 24 to 8,760 hours (365 days). The notes' "1-35 days"
   * and "1-365 days" are out of date; AWS's current range is 24 h to 365 days.
   * @default Duration.hours(24)
   */
  readonly retentionPeriod?: Duration;

  /**
   * Customer-managed key for the stream, the bucket (unless existing), the log group and the
   * alarm topic created when no `alarmTopic` is given. If it is a key defined in this app, a
   * statement letting CloudWatch Logs use it is added (an imported key must already allow
   * `logs.<region>.amazonaws.com`).
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Deliver into this bucket instead of creating a SecureBucket. Objects are
   * encrypted with the bucket's own key if it exposes one, else with `encryptionKey`.
   * @default - a new SecureBucket
   */
  readonly existingBucket?: s3.IBucket;

  /**
   * Props of the SecureBucket created when no `existingBucket` is given
   * (its `encryptionKey` defaults to this construct's key).
   * @default - SecureBucket defaults
   */
  readonly bucketProps?: SecureBucketProps;

  /**
   * Base prefix of delivered objects, without expressions (`!{...}`).
   * @default 'data'
   */
  readonly prefix?: string;

  /**
   * Partitioned layout under the prefix.
   * @default - daily time partitions (`year=/month=/day=`), no dynamic partitioning
   */
  readonly partitioning?: PartitioningOptions;

  /**
   * Prefix for records Firehose could not deliver or partition (at most 1,024 characters).
   * Must contain `!{firehose:error-output-type}` if it uses any expression. The delivery role
   * may write only under `prefix` and under this prefix's text before its first expression.
   * @default 'errors/<prefix>/!{firehose:error-output-type}/year=.../month=.../day=.../'
   * (with another destination: 'errors/<prefix>/!{firehose:error-output-type}/')
   */
  readonly errorOutputPrefix?: string;

  /**
   * How long Firehose buffers before writing an object: 0 to 900 seconds
   * (60 to 900 with dynamic partitioning, which has no zero buffering).
   * The notes' "60 s minimum" predates zero buffering.
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;

  /**
   * How much Firehose buffers before writing an object: 1 to 128 MiB
   * (at least 64 MiB with dynamic partitioning or format conversion).
   * @default Size.mebibytes(64) with dynamic partitioning or format conversion, else Size.mebibytes(16)
   */
  readonly bufferingSize?: Size;

  /**
   * Compression of delivered objects. Must be UNCOMPRESSED with format conversion
   * (Parquet/ORC compress internally).
   * @default Compression.GZIP, or UNCOMPRESSED with format conversion
   */
  readonly compression?: firehose.Compression;

  /**
   * Convert JSON records to Parquet or ORC using a Glue table's schema.
   * @default - no conversion (JSON lines)
   */
  readonly formatConversion?: FormatConversionOptions;

  /**
   * How long Firehose retries delivery of a dynamically partitioned batch: 0 to 7,200 seconds.
   * @default Duration.seconds(300)
   */
  readonly dynamicPartitioningRetryDuration?: Duration;

  /**
   * Where Firehose delivers. By default it delivers to S3 (this construct's bucket, under
   * `prefix`, partitioned and optionally converted). With an {@link OpenSearchDestination} or a
   * {@link RedshiftDestination}, the bucket keeps the destination's S3 part under `prefix`
   * (failed documents, or the files Redshift COPYs), and the S3-only props `partitioning`,
   * `formatConversion` and `dynamicPartitioningRetryDuration` must not be set.
   * @default - S3, in this construct's bucket
   */
  readonly destination?: IIngestionDestination;

  /**
   * SNS topic that receives the ALARM and OK notifications of every alarm.
   * @default - a new AlarmTopic encrypted with `encryptionKey` (subscribe to it)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Alarm thresholds.
   * @default - see IngestionAlarmOptions
   */
  readonly alarms?: IngestionAlarmOptions;

  /**
   * Retention of the Firehose error log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
