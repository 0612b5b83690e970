import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** Props for {@link StreamConsumer}. */
export interface StreamConsumerProps {
  /** The Kinesis data stream to consume (e.g. `StreamIngestion.stream`). */
  readonly stream: kinesis.IStream;

  /**
   * Read through an enhanced fan-out consumer: a dedicated 2 MiB/s per shard pushed over
   * HTTP/2 (SubscribeToShard, about 70 ms latency) instead of sharing the shard's 2 MiB/s and
   * 5 GetRecords calls/s with every other standard consumer (about 200 ms; 1 s+ with several).
   * Costs per consumer-shard-hour and per GB. Use it when several applications read the stream.
   * @default false
   */
  readonly enhancedFanOut?: boolean;

  /**
   * Name of the enhanced fan-out consumer (1-128 characters: letters, digits, `_`, `.`, `-`).
   * @default - generated
   */
  readonly consumerName?: string;

  /**
   * Customer-managed key for the seen-set table, the on-failure queue, the log group and the
   * alarm topic created when no `alarmTopic` is given.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Code of the function, for your own record processing: a bundle whose handler is built with
   * `streamHandler` from `@analytics-patterns/collection/runtime/stream-consumer` (published,
   * typed, pre-built: it de-aggregates and de-duplicates before calling your processor).
   * Bundle it with your own tooling, e.g. `lambda.Code.fromAsset('dist/my-consumer')`.
   * @default - the pre-built lab handler shipped in this package, which logs each record
   */
  readonly code?: lambda.Code;

  /**
   * Handler of `code` (`<file>.<export>`).
   * @default 'index.handler'
   */
  readonly handler?: string;

  /** Records per batch: 1 to 10,000. @default 100 */
  readonly batchSize?: number;

  /**
   * How long Lambda gathers records before invoking: 0 to 300 seconds.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Concurrent batches per shard: 1 to 10. Records of one partition key stay in order.
   * @default 1
   */
  readonly parallelizationFactor?: number;

  /**
   * Split a failing batch in two and retry each half, to isolate a bad record.
   * @default true
   */
  readonly bisectBatchOnError?: boolean;

  /**
   * Retries of a failing batch: 0 to 10,000. (AWS's own default, infinite, blocks the shard until
   * the records expire, the notes' "poison message" problem.)
   * @default 10
   */
  readonly retryAttempts?: number;

  /**
   * Records older than this are sent to the on-failure queue instead of being processed:
   * 60 seconds to 7 days.
   * @default Duration.days(1)
   */
  readonly maxRecordAge?: Duration;

  /**
   * Where to start reading: TRIM_HORIZON or LATEST.
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;

  /**
   * On-failure destination. Lambda sends it the metadata of discarded batches (shard,
   * sequence-number range), not the records: read them from the stream within its retention.
   * @default - a new queue encrypted with the key, TLS only, 14-day retention
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * How long a processed record id is remembered in the seen-set table: 1 hour to 365 days.
   * Keep it above the stream retention plus the maximum record age, the window in which a
   * duplicate can still arrive.
   * @default Duration.days(7)
   */
  readonly seenTtl?: Duration;

  /**
   * JSON field holding the producer's record id (the `idField` of `@analytics-patterns/producer`).
   * @default 'recordId'
   */
  readonly idField?: string;

  /** Function memory: 128 to 10,240 MiB. @default 256 */
  readonly memorySize?: number;

  /** Function timeout: 1 to 900 seconds. @default Duration.seconds(60) */
  readonly timeout?: Duration;

  /**
   * Alarm when the function's iterator age (age of the last record of a batch) exceeds this.
   * @default Duration.minutes(15)
   */
  readonly iteratorAgeThreshold?: Duration;

  /**
   * SNS topic that receives the ALARM and OK notifications of every alarm.
   * @default - a new AlarmTopic encrypted with `encryptionKey` (subscribe to it)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Concurrent executions reserved for (and capped at) this function. Without it the event
   * source mapping already bounds concurrency to shards x `parallelizationFactor`; reserving it
   * (NIST 800-53 / HIPAA `LambdaConcurrency`) takes that many from the account's pool.
   * @default - unreserved (bounded by the event source mapping)
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Run the function in this VPC (NIST 800-53, HIPAA and PCI DSS `LambdaInsideVPC`). The
   * function then reaches DynamoDB, SQS, KMS and CloudWatch Logs through the VPC: give the
   * subnets a NAT gateway or VPC endpoints for those services (their hourly cost is yours).
   * @default - not in a VPC (the function only calls AWS APIs)
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the function.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function in `vpc`.
   * @default - a new security group allowing outbound traffic only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /** Retention of the function's log group. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}
