import { ConstructAlarms, CustomerManagedPolicies, Sandbox, SqsLimits, TimeUnit, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SecureQueueProps } from './secure-queue-props';

const DEFAULT_RETENTION = Duration.days(4);
const DEFAULT_MAX_RECEIVE_COUNT = 5;
/** Failed messages stay this long in the dead-letter queue (the SQS maximum), to be inspected. */
const DEAD_LETTER_RETENTION = Duration.seconds(SqsLimits.RETENTION_SECONDS.max);

/** Values the construct renders, after validation (numbers may be tokens). */
interface QueueSettings {
  readonly fifo: boolean;
  readonly retentionSeconds: number;
  readonly oldestMessageSeconds: number;
  readonly maxReceiveCount: number;
  readonly queueName?: string;
  readonly deadLetterQueueName?: string;
}

/** `<name>-dlq`, before the `.fifo` suffix of a FIFO queue. */
function deadLetterQueueName(queueName: string, fifo: boolean): string {
  const base = fifo ? queueName.slice(0, -SqsLimits.FIFO_SUFFIX.length) : queueName;
  return `${base}-dlq${fifo ? SqsLimits.FIFO_SUFFIX : ''}`;
}

/**
 * A queue that decouples producers from consumers (notes 1.3), with a dead-letter
 * queue and alarms: SSE-KMS with a customer-managed key, TLS-only access, long
 * polling, a DLQ (FIFO for a FIFO queue, retention 14 days so failures can be
 * inspected), an alarm on any message in the DLQ and one on the age of the oldest
 * message, both notifying a topic. Queues are RETAINed unless the app runs in sandbox mode.
 *
 * Access: `grantSendMessages` / `grantConsumeMessages` for roles (with the key, through SQS
 * only); `allowEventBridgeRule` / `allowSnsTopic` for the two AWS services that deliver to
 * queues most often (queue and key policy statements scoped to the rule or topic ARN).
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
  private readonly monitoring: ConstructAlarms;

  constructor(scope: Construct, id: string, props: SecureQueueProps = {}) {
    super(scope, id);
    const settings = this.validate(props);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.deadLetterQueue = this.createDeadLetterQueue(props, settings);
    this.queue = this.createQueue(props, settings);
    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    this.deadLetterAlarm = this.createDeadLetterAlarm(settings);
    this.oldestMessageAlarm = this.createOldestMessageAlarm(settings);
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of this queue. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring.alarms;
  }

  /** The topic the alarms notify. */
  public get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  /**
   * Lets `grantee` send messages: `sqs:SendMessage` (and `GetQueueAttributes`/`GetQueueUrl`)
   * on the queue, `kms:GenerateDataKey` and `kms:Decrypt` on its key through SQS only.
   */
  public grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resourceArns: [this.queue.queueArn],
      resource: this.queue,
    }).combine(this.grantKeyThroughSqs(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  /**
   * Lets `grantee` receive, delete and change the visibility of messages, with `kms:Decrypt`
   * on the key through SQS only.
   */
  public grantConsumeMessages(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resourceArns: [this.queue.queueArn],
      resource: this.queue,
    }).combine(this.grantKeyThroughSqs(grantee, ['kms:Decrypt']));
  }

  /**
   * Lets one EventBridge rule deliver to the queue: a queue policy statement for
   * `events.amazonaws.com` conditioned on `aws:SourceArn` (the rule), and a key policy
   * statement for the same principal. AWS documents that the KMS requests EventBridge makes
   * for an encrypted target carry no source ARN, so the key statement is scoped by principal
   * and action only; the queue policy is what limits delivery to this rule.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html
   */
  public allowEventBridgeRule(rule: events.IRule): void {
    const principal = new iam.ServicePrincipal('events.amazonaws.com');
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [principal],
      actions: ['sqs:SendMessage'],
      resources: [this.queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }));
    this.allowServiceToUseKey('EventBridge', principal);
  }

  /**
   * Lets one SNS topic deliver to the queue (for a subscription made elsewhere): queue and
   * key policy statements for `sns.amazonaws.com`, both conditioned on `aws:SourceArn` (the topic).
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html
   */
  public allowSnsTopic(topic: sns.ITopic): void {
    const principal = new iam.ServicePrincipal('sns.amazonaws.com');
    const conditions = { ArnEquals: { 'aws:SourceArn': topic.topicArn } };
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [principal], actions: ['sqs:SendMessage'], resources: [this.queue.queueArn], conditions,
    }));
    this.allowServiceToUseKey('SNS', principal, conditions);
  }

  private validate(props: SecureQueueProps): QueueSettings {
    const fifo = props.fifo ?? false;
    if (!fifo) {
      for (const p of ['contentBasedDeduplication', 'highThroughputFifo'] as const) {
        Validate.that(this, props[p] === undefined, { prop: p, value: props[p], allowed: 'only with fifo: true' });
      }
    }
    const retentionSeconds = Validate.duration(this, props.retentionPeriod ?? DEFAULT_RETENTION, { prop: 'retentionPeriod', in: TimeUnit.SECONDS, ...SqsLimits.RETENTION_SECONDS })!;
    Validate.duration(this, props.visibilityTimeout, { prop: 'visibilityTimeout', in: TimeUnit.SECONDS, ...SqsLimits.VISIBILITY_TIMEOUT_SECONDS });
    Validate.number(this, props.maxMessageSizeBytes, { prop: 'maxMessageSizeBytes', ...SqsLimits.MESSAGE_SIZE_BYTES });
    Validate.number(this, props.maxReceiveCount, { prop: 'maxReceiveCount', ...SqsLimits.MAX_RECEIVE_COUNT });
    Validate.duration(this, props.receiveMessageWaitTime, { prop: 'receiveMessageWaitTime', in: TimeUnit.SECONDS, ...SqsLimits.RECEIVE_WAIT_SECONDS });
    Validate.duration(this, props.dataKeyReuse, { prop: 'dataKeyReuse', in: TimeUnit.SECONDS, ...SqsLimits.DATA_KEY_REUSE_SECONDS });
    return {
      fifo,
      retentionSeconds,
      oldestMessageSeconds: this.validateOldestMessageAge(props.oldestMessageAgeAlarm, retentionSeconds),
      maxReceiveCount: props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      ...this.validateNames(props.queueName, fifo),
    };
  }

  /** The alarm threshold in seconds: given, or half the retention (never computed from a token). */
  private validateOldestMessageAge(given: Duration | undefined, retentionSeconds: number): number {
    const retentionIsToken = Token.isUnresolved(retentionSeconds);
    if (given === undefined) {
      Validate.that(this, !retentionIsToken, {
        prop: 'oldestMessageAgeAlarm',
        value: undefined,
        allowed: 'a duration when retentionPeriod is a token (half the retention period cannot be computed before deployment)',
      });
      return Math.floor(retentionSeconds / 2);
    }
    const oldest = Validate.duration(this, given, { prop: 'oldestMessageAgeAlarm', in: TimeUnit.SECONDS, min: 1, max: SqsLimits.RETENTION_SECONDS.max, unit: 'seconds', integer: true })!;
    if (!retentionIsToken && !Token.isUnresolved(oldest)) {
      Validate.that(this, oldest < retentionSeconds, {
        prop: 'oldestMessageAgeAlarm', value: `${oldest} seconds`, allowed: `less than the retention period (${retentionSeconds} seconds)`,
      });
    }
    return oldest;
  }

  private validateNames(queueName: string | undefined, fifo: boolean): Pick<QueueSettings, 'queueName' | 'deadLetterQueueName'> {
    if (queueName === undefined) return {};
    const rule = fifo ? SqsLimits.FIFO_QUEUE_NAME : SqsLimits.QUEUE_NAME;
    Validate.resourceName(this, 'queueName', queueName, rule);
    if (Token.isUnresolved(queueName)) {
      // the dead-letter queue's name cannot be derived from a token: CloudFormation names it
      return { queueName };
    }
    Validate.that(this, fifo || !queueName.endsWith(SqsLimits.FIFO_SUFFIX), {
      prop: 'queueName', value: queueName, allowed: `a name without the ${SqsLimits.FIFO_SUFFIX} suffix for a standard queue`,
    });
    const deadLetter = deadLetterQueueName(queueName, fifo);
    Validate.that(this, deadLetter.length <= rule.maxLength!, {
      prop: 'queueName',
      value: queueName,
      allowed: `at most ${rule.maxLength! - (deadLetter.length - queueName.length)} characters`,
      hint: `The dead-letter queue is named ${JSON.stringify(deadLetter)} (${deadLetter.length} characters; SQS allows ${rule.maxLength}).`,
    });
    return { queueName, deadLetterQueueName: deadLetter };
  }

  private common(props: SecureQueueProps, settings: QueueSettings): sqs.QueueProps {
    return {
      fifo: settings.fifo ? true : undefined,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      dataKeyReuse: props.dataKeyReuse ?? Duration.minutes(5),
      enforceSSL: true,
      removalPolicy: Sandbox.removalPolicy(this),
    };
  }

  private createDeadLetterQueue(props: SecureQueueProps, settings: QueueSettings): sqs.Queue {
    return new sqs.Queue(this, 'DeadLetterQueue', {
      ...this.common(props, settings),
      queueName: settings.deadLetterQueueName,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
  }

  private createQueue(props: SecureQueueProps, settings: QueueSettings): sqs.Queue {
    const highThroughput = settings.fifo && props.highThroughputFifo;
    return new sqs.Queue(this, 'Queue', {
      ...this.common(props, settings),
      queueName: settings.queueName,
      contentBasedDeduplication: settings.fifo ? (props.contentBasedDeduplication ?? true) : undefined,
      deduplicationScope: highThroughput ? sqs.DeduplicationScope.MESSAGE_GROUP : undefined,
      fifoThroughputLimit: highThroughput ? sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID : undefined,
      retentionPeriod: props.retentionPeriod ?? DEFAULT_RETENTION,
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(30),
      maxMessageSizeBytes: props.maxMessageSizeBytes,
      receiveMessageWaitTime: props.receiveMessageWaitTime ?? Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });
  }

  private createDeadLetterAlarm(settings: QueueSettings): cloudwatch.Alarm {
    return this.monitoring.add('DeadLetterAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Messages of ${this.node.path} failed ${Tokenization.stringifyNumber(settings.maxReceiveCount)} times and are in the dead-letter queue.`,
    });
  }

  private createOldestMessageAlarm(settings: QueueSettings): cloudwatch.Alarm {
    const oldest = Tokenization.stringifyNumber(settings.oldestMessageSeconds);
    return this.monitoring.add('OldestMessageAlarm', {
      metric: this.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: settings.oldestMessageSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `The oldest message of ${this.node.path} waits more than ${oldest} s; messages expire after ${Tokenization.stringifyNumber(settings.retentionSeconds)} s.`,
    });
  }

  private grantKeyThroughSqs(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions,
      resourceArns: [this.encryptionKey.keyArn],
      resourceSelfArns: ['*'],
      resource: this.encryptionKey,
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
    });
  }

  /** A key policy statement for a service principal; for an imported key, a warning says what its policy must allow. */
  private allowServiceToUseKey(service: string, principal: iam.ServicePrincipal, conditions?: Record<string, Record<string, unknown>>): void {
    const added = this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [principal],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions,
    })).statementAdded;
    if (!added) {
      Annotations.of(this).addWarningV2(`@analytics-patterns/collection:${service}KeyAccess`,
        `${this.encryptionKey.node.path} is imported: its key policy must allow ${principal.service} kms:GenerateDataKey* and kms:Decrypt, or ${service} cannot deliver to ${this.node.path}.`);
    }
  }
}
