import { AlarmNotifications, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props for {@link SecureQueue}. */
export interface SecureQueueProps {
  /**
   * FIFO queue: exactly-once processing and strict order per message group, up to
   * 300 API calls/s per action (3,000 messages/s with batching; more with high throughput).
   * Standard queues: nearly unlimited throughput, at-least-once, best-effort order.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * FIFO only: deduplicate by a SHA-256 of the body instead of a producer-supplied id.
   * @default true for FIFO queues
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * FIFO only: high-throughput mode (per-message-group throughput limits).
   * @default false
   */
  readonly highThroughputFifo?: boolean;
  /**
   * How long messages are kept: 60 seconds to 14 days. AWS's default is 4 days (the notes say 3).
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long a received message is hidden from other consumers: 0 to 12 hours.
   * Set it to at least 6x the consumer's processing time (or Lambda timeout).
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Largest message, 1,024 to 1,048,576 bytes (SQS raised the limit from 256 KiB to 1 MiB in 2025;
   * the notes' 256 KB is the old limit and still the default).
   * @default 262144
   */
  readonly maxMessageSizeBytes?: number;
  /**
   * Receives after which a message moves to the dead-letter queue: 1 to 1,000.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Long polling wait for ReceiveMessage: 0 to 20 seconds (fewer empty responses, lower cost).
   * @default Duration.seconds(20)
   */
  readonly receiveMessageWaitTime?: Duration;
  /**
   * Customer-managed key (SSE-KMS).
   * @default - a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long SQS reuses a data key before calling KMS again: 1 minute to 24 hours.
   * @default Duration.minutes(5)
   */
  readonly dataKeyReuse?: Duration;
  /**
   * Alarm when the oldest message is older than this.
   * @default - half the retention period
   */
  readonly oldestMessageAgeAlarm?: Duration;
  /**
   * Topic for alarm notifications.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A queue that decouples producers from consumers (notes 1.3), with a dead-letter
 * queue and alarms: SSE-KMS with a customer-managed key, TLS-only access, long
 * polling, a DLQ (FIFO for a FIFO queue, retention 14 days so failures can be
 * inspected), an alarm on any message in the DLQ and one on the age of the oldest
 * message. Queues are RETAINed unless the app runs in sandbox mode.
 */
export class SecureQueue extends Construct {
  /** The queue. */
  public readonly queue: sqs.Queue;
  /** The dead-letter queue. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The key that encrypts both queues. */
  public readonly encryptionKey: kms.IKey;
  /** Alarm: a message reached the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Alarm: the oldest message waits too long. */
  public readonly oldestMessageAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SecureQueueProps = {}) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    if (!fifo) {
      for (const p of ['contentBasedDeduplication', 'highThroughputFifo'] as const) {
        Validate.that(this, props[p] === undefined, { prop: p, value: props[p], allowed: 'only with fifo: true' });
      }
    }
    const retention = props.retentionPeriod ?? Duration.days(4);
    Validate.integer(this, 'retentionPeriod', 60, 1_209_600, retention.toSeconds(), 'seconds');
    Validate.integer(this, 'visibilityTimeout', 0, 43_200, props.visibilityTimeout?.toSeconds(), 'seconds');
    Validate.integer(this, 'maxMessageSizeBytes', 1024, 1_048_576, props.maxMessageSizeBytes, 'bytes');
    Validate.integer(this, 'maxReceiveCount', 1, 1000, props.maxReceiveCount);
    Validate.integer(this, 'receiveMessageWaitTime', 0, 20, props.receiveMessageWaitTime?.toSeconds(), 'seconds');
    Validate.integer(this, 'dataKeyReuse', 60, 86_400, props.dataKeyReuse?.toSeconds(), 'seconds');
    const oldest = props.oldestMessageAgeAlarm ?? Duration.seconds(Math.floor(retention.toSeconds() / 2));
    Validate.that(this, oldest.toSeconds() < retention.toSeconds(), {
      prop: 'oldestMessageAgeAlarm', value: `${oldest.toSeconds()} seconds`, allowed: `less than the retention period (${retention.toSeconds()} seconds)`,
    });

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    const common = {
      fifo: fifo ? true : undefined,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      dataKeyReuse: props.dataKeyReuse ?? Duration.minutes(5),
      enforceSSL: true,
      removalPolicy: Sandbox.removalPolicy(this),
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { ...common, retentionPeriod: Duration.days(14) });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      contentBasedDeduplication: fifo ? (props.contentBasedDeduplication ?? true) : undefined,
      deduplicationScope: fifo && props.highThroughputFifo ? sqs.DeduplicationScope.MESSAGE_GROUP : undefined,
      fifoThroughputLimit: fifo && props.highThroughputFifo ? sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID : undefined,
      retentionPeriod: retention,
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(30),
      maxMessageSizeBytes: props.maxMessageSizeBytes,
      receiveMessageWaitTime: props.receiveMessageWaitTime ?? Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    this.deadLetterAlarm = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) })
      .createAlarm(this, 'DeadLetterAlarm', {
        alarmDescription: `Messages of ${this.node.path} failed ${props.maxReceiveCount ?? 5} times and are in the dead-letter queue.`,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.oldestMessageAlarm = this.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) })
      .createAlarm(this, 'OldestMessageAlarm', {
        alarmDescription: `The oldest message of ${this.node.path} waits more than ${oldest.toSeconds()} s; messages expire after ${retention.toSeconds()} s.`,
        threshold: oldest.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    AlarmNotifications.notify([this.deadLetterAlarm, this.oldestMessageAlarm], props.alarmTopic);
  }
}
