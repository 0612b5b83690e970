import { FirehoseLimits, GlueLimits, KinesisLimits, SizeUnit, TimeUnit, Validate } from '@analytics-patterns/core';
import { Duration, Token } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import { IConstruct } from 'constructs';
import { partitionLayout, PartitionLayout } from './partitioning';
import { StreamIngestionProps } from './stream-ingestion-props';

const FIELD_NAME = '^[a-z][a-z0-9_]{0,127}$';
const BASE_PREFIX = '^[A-Za-z0-9!_.*\'()=/-]*$';
const TIME_PARTITIONS = ['year', 'month', 'day', 'hour'];
/** Longest buffering interval: the freshness default when the interval is a token. */
const MAX_INTERVAL_SECONDS = FirehoseLimits.S3_BUFFER_INTERVAL_SECONDS.max;
/** A day: the longest freshness threshold that still means "data is flowing". */
const MAX_FRESHNESS_SECONDS = 86_400;
const DEFAULT_RETENTION_HOURS = 24;

/** Every value of StreamIngestion's props, checked and converted to what the template needs (internal). */
export interface IngestionPlan {
  readonly layout: PartitionLayout;
  readonly dynamicPartitioning: boolean;
  /** Stream retention in hours (new stream only). */
  readonly retentionHours?: number;
  readonly bufferingIntervalSeconds: number;
  readonly bufferingSizeMib: number;
  readonly compression: firehose.Compression;
  readonly retrySeconds: number;
  readonly iteratorAgeMillis: number;
  readonly freshnessSeconds: number;
  /** Whether the stream's own alarms (iterator age, throttling) are created. */
  readonly streamAlarms: boolean;
}

/**
 * Checks StreamIngestion's props against Kinesis's and Firehose's documented limits (and the
 * relations between props) and converts Durations and Sizes once, with the construct's own
 * messages. Tokens pass the checks they cannot be resolved for.
 */
export function planIngestion(scope: IConstruct, props: StreamIngestionProps): IngestionPlan {
  validateExisting(scope, props);
  validateDestinationProps(scope, props);
  const retentionHours = Validate.duration(scope, props.retentionPeriod, { prop: 'retentionPeriod', in: TimeUnit.HOURS, ...KinesisLimits.RETENTION_HOURS });
  if (props.capacity?.mode === kinesis.StreamMode.PROVISIONED) {
    Validate.number(scope, props.capacity.shards, { prop: 'capacity.shards', ...KinesisLimits.SHARDS });
  }
  Validate.resourceName(scope, 'streamName', props.streamName, KinesisLimits.STREAM_NAME);
  const layout = validateLayout(scope, props);
  const dynamicPartitioning = layout.jqQuery !== undefined;
  const buffering = validateBuffering(scope, props, dynamicPartitioning);
  validateFormatConversion(scope, props);
  const retrySeconds = Validate.duration(scope, props.dynamicPartitioningRetryDuration, {
    prop: 'dynamicPartitioningRetryDuration', in: TimeUnit.SECONDS, ...FirehoseLimits.RETRY_DURATION_SECONDS,
  }) ?? 300;
  // an existing stream's retention is unknown: its longest possible value bounds the iterator-age alarm
  const effectiveRetention = retentionHours ?? (props.existingStream ? KinesisLimits.RETENTION_HOURS.max : DEFAULT_RETENTION_HOURS);
  return {
    layout,
    dynamicPartitioning,
    retentionHours,
    ...buffering,
    retrySeconds,
    ...validateAlarms(scope, props, effectiveRetention, buffering.bufferingIntervalSeconds),
  };
}

function validateExisting(scope: IConstruct, props: StreamIngestionProps): void {
  if (props.existingStream) {
    for (const p of ['streamName', 'capacity', 'retentionPeriod'] as const) {
      Validate.that(scope, props[p] === undefined, {
        prop: p,
        value: 'given',
        allowed: 'not set together with existingStream (configure the existing stream itself)',
      });
    }
  }
  if (props.existingBucket) {
    Validate.that(scope, props.bucketProps === undefined, { prop: 'bucketProps', value: 'given', allowed: 'not set together with existingBucket' });
  }
}

function validateDestinationProps(scope: IConstruct, props: StreamIngestionProps): void {
  if (!props.destination) return;
  for (const p of ['partitioning', 'formatConversion', 'dynamicPartitioningRetryDuration'] as const) {
    Validate.that(scope, props[p] === undefined, {
      prop: p,
      value: 'given',
      allowed: `not set with destination ${props.destination.destinationName} (it applies to the S3 destination only)`,
    });
  }
}

function validateLayout(scope: IConstruct, props: StreamIngestionProps): PartitionLayout {
  const basePrefix = props.prefix ?? 'data';
  if (!Token.isUnresolved(basePrefix)) {
    Validate.pattern(scope, 'prefix', BASE_PREFIX, 'a plain S3 key prefix (letters, digits, and !_.*\'()=/-) without Firehose expressions', basePrefix);
    Validate.that(scope, !basePrefix.startsWith('/'), { prop: 'prefix', value: basePrefix, allowed: 'a prefix that does not start with "/"' });
  }
  const partitioning = props.partitioning ?? {};
  validateFields(scope, partitioning.fields ?? []);
  validateErrorPrefix(scope, props.errorOutputPrefix);
  const layout = partitionLayout(basePrefix, partitioning, props.errorOutputPrefix, props.destination === undefined);
  for (const [prop, value] of [['prefix', layout.prefix], ['errorOutputPrefix', layout.errorOutputPrefix]]) {
    if (Token.isUnresolved(value)) continue;
    Validate.that(scope, value.length <= FirehoseLimits.PREFIX_LENGTH.max, {
      prop, value, allowed: `at most ${FirehoseLimits.PREFIX_LENGTH.max} characters after partitions are added (${value.length} here)`,
    });
  }
  return layout;
}

function validateFields(scope: IConstruct, fields: NonNullable<NonNullable<StreamIngestionProps['partitioning']>['fields']>): void {
  Validate.count(scope, 'partitioning.fields', FirehoseLimits.PARTITION_KEYS.min, FirehoseLimits.PARTITION_KEYS.max, fields);
  Validate.unique(scope, 'partitioning.fields[].name', fields.map((f) => f.name));
  fields.forEach((f, i) => {
    Validate.pattern(scope, `partitioning.fields[${i}].name`, FIELD_NAME,
      'lower-case letters, digits and "_", starting with a letter, at most 128 characters (Glue/Athena partition column rules)', f.name);
    Validate.that(scope, !TIME_PARTITIONS.includes(f.name), {
      prop: `partitioning.fields[${i}].name`, value: f.name, allowed: 'a name other than year, month, day and hour (used by the time partitions)',
    });
    if (f.query !== undefined && !Token.isUnresolved(f.query)) {
      Validate.that(scope, f.query.trim().length > 0 && !/[{}#]/.test(f.query), {
        prop: `partitioning.fields[${i}].query`, value: f.query, allowed: 'a non-empty JQ 1.6 expression without braces or comments, e.g. ".device.id"',
      });
    }
  });
}

function validateErrorPrefix(scope: IConstruct, e: string | undefined): void {
  if (e === undefined || Token.isUnresolved(e)) return;
  Validate.that(scope, !e.includes('!{') || e.includes('!{firehose:error-output-type}'), {
    prop: 'errorOutputPrefix', value: e, allowed: 'a prefix that contains !{firehose:error-output-type} when it uses expressions',
  });
  Validate.that(scope, !e.includes('partitionKeyFrom'), {
    prop: 'errorOutputPrefix', value: e, allowed: 'a prefix without partitionKeyFromQuery/partitionKeyFromLambda (records that failed partitioning have no keys)',
  });
  Validate.that(scope, e.length > 0 && !e.startsWith('/'), { prop: 'errorOutputPrefix', value: e, allowed: 'a non-empty prefix that does not start with "/"' });
}

function validateBuffering(scope: IConstruct, props: StreamIngestionProps, dynamic: boolean) {
  const interval = Validate.duration(scope, props.bufferingInterval, dynamic
    ? { prop: 'bufferingInterval', in: TimeUnit.SECONDS, ...FirehoseLimits.PARTITIONED_BUFFER_INTERVAL_SECONDS, hint: 'Dynamic partitioning has no zero buffering.' }
    : { prop: 'bufferingInterval', in: TimeUnit.SECONDS, ...FirehoseLimits.S3_BUFFER_INTERVAL_SECONDS });
  const large = dynamic || props.formatConversion !== undefined;
  const why = dynamic ? 'Dynamic partitioning' : 'Format conversion';
  const size = Validate.size(scope, props.bufferingSize, large
    ? { prop: 'bufferingSize', in: SizeUnit.MEBIBYTES, ...FirehoseLimits.LARGE_BUFFER_SIZE_MIB, hint: `${why} needs a buffer of at least 64 MiB.` }
    : { prop: 'bufferingSize', in: SizeUnit.MEBIBYTES, ...FirehoseLimits.S3_BUFFER_SIZE_MIB });
  return {
    bufferingIntervalSeconds: interval ?? 300,
    bufferingSizeMib: size ?? (large ? FirehoseLimits.LARGE_BUFFER_SIZE_MIB.min : 16),
    compression: props.compression ?? (props.formatConversion ? firehose.Compression.UNCOMPRESSED : firehose.Compression.GZIP),
  };
}

function validateFormatConversion(scope: IConstruct, props: StreamIngestionProps): void {
  if (!props.formatConversion) return;
  const c = props.compression;
  Validate.that(scope, c === undefined || c.value === firehose.Compression.UNCOMPRESSED.value, {
    prop: 'compression',
    value: c?.value,
    allowed: 'UNCOMPRESSED with format conversion (Parquet/ORC compress internally with Snappy)',
  });
  Validate.resourceName(scope, 'formatConversion.databaseName', props.formatConversion.databaseName, GlueLimits.DATABASE_NAME);
  Validate.resourceName(scope, 'formatConversion.tableName', props.formatConversion.tableName, GlueLimits.TABLE_NAME);
  Validate.pattern(scope, 'formatConversion.catalogId', '^\\d{12}$', 'a 12-digit account id', props.formatConversion.catalogId);
}

function validateAlarms(scope: IConstruct, props: StreamIngestionProps, retentionHours: number, intervalSeconds: number) {
  const alarms = props.alarms ?? {};
  const streamAlarms = alarms.streamAlarms ?? true;
  Validate.that(scope, streamAlarms || alarms.iteratorAge === undefined, {
    prop: 'alarms.iteratorAge',
    value: alarms.iteratorAge?.toHumanString(),
    allowed: 'unset with alarms.streamAlarms: false (there is no iterator-age alarm to set it for)',
  });
  const iteratorAge = alarms.iteratorAge ?? Duration.minutes(15);
  const iteratorAgeMillis = Validate.duration(scope, iteratorAge, { prop: 'alarms.iteratorAge', in: TimeUnit.MILLISECONDS, min: 1, max: Number.MAX_SAFE_INTEGER, integer: true })!;
  if (!Token.isUnresolved(iteratorAgeMillis) && !Token.isUnresolved(retentionHours)) {
    Validate.that(scope, iteratorAgeMillis < retentionHours * 3_600_000, {
      prop: 'alarms.iteratorAge',
      value: iteratorAge.toHumanString(),
      allowed: `less than the stream retention period (${retentionHours} hours)`,
    });
  }
  const knownInterval = Token.isUnresolved(intervalSeconds) ? undefined : intervalSeconds;
  const freshness = alarms.deliveryFreshness ?? Duration.seconds(Math.ceil((knownInterval ?? MAX_INTERVAL_SECONDS) * 1.5) + 900);
  const freshnessSeconds = Validate.duration(scope, freshness, {
    prop: 'alarms.deliveryFreshness', in: TimeUnit.SECONDS, min: (knownInterval ?? 0) + 60, max: MAX_FRESHNESS_SECONDS, integer: true,
  })!;
  return { iteratorAgeMillis, freshnessSeconds, streamAlarms };
}

