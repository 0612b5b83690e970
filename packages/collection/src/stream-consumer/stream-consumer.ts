import * as fs from 'fs';
import * as path from 'path';
import { AlarmNotifications, NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { StreamConsumerProps } from './stream-consumer-props';

const HANDLER_DIR = path.join(__dirname, '..', '..', 'lambda', 'stream-consumer');
const REPO_ROOT = path.join(__dirname, '..', '..', '..', '..');

/**
 * An idempotent Lambda consumer of a Kinesis data stream (notes 1.1: consumers, enhanced
 * fan-out, duplicates, error handling).
 *
 * ```
 * Kinesis stream --(shared GetRecords, or an enhanced fan-out consumer)--> Lambda event source mapping
 *    --> handler: de-aggregate KPL records -> skip ids in the seen-set table -> process -> remember ids (TTL)
 *    --> on failure: partial batch response (retry from the failed record), bisect, bounded retries and
 *        record age, then the batch metadata to an encrypted SQS queue
 * ```
 *
 * - Duplicates: producers retry (a record is written twice) and Lambda retries batches; the
 *   handler drops records whose id (embedded by `@analytics-patterns/producer`) it already
 *   processed, using a DynamoDB table with TTL as the seen-set.
 * - Failures never block a shard forever: bounded retries (10) and record age (1 day) by
 *   default, unlike AWS's infinite defaults, and a bad record is isolated by bisecting.
 * - Encrypted with a customer-managed key (table, queue, logs); the table has PITR and is
 *   RETAINed; the function's role has exact actions on exact ARNs.
 */
export class StreamConsumer extends Construct {
  /** The consumer function. */
  public readonly consumerFunction: nodejs.NodejsFunction;
  /** The function's role. */
  public readonly role: iam.Role;
  /** The seen-set table (partition key `recordId`, TTL attribute `expiresAt`). */
  public readonly seenTable: dynamodb.Table;
  /** The on-failure destination (new or existing). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The key this construct encrypts with. */
  public readonly encryptionKey: kms.IKey;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The enhanced fan-out consumer, when `enhancedFanOut` is on. */
  public readonly fanOutConsumer?: kinesis.StreamConsumer;
  /** The event source (a KinesisEventSource, or a KinesisConsumerEventSource with enhanced fan-out). */
  public readonly eventSource: lambda.IEventSource;
  /** Id of the event source mapping. */
  public readonly eventSourceMappingId: string;
  /** Alarm: records wait too long before being processed (IteratorAge, maximum). */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;
  /** Alarm: a batch was discarded to the on-failure queue. */
  public readonly discardedBatchAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    this.validate(props);
    const stack = Stack.of(this);
    const maxRecordAge = props.maxRecordAge ?? Duration.days(1);
    const seenTtl = props.seenTtl ?? Duration.days(7);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);

    this.seenTable = new dynamodb.Table(this, 'SeenTable', {
      partitionKey: { name: 'recordId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: Sandbox.removalPolicy(this),
    });

    if (props.deadLetterQueue) {
      this.deadLetterQueue = props.deadLetterQueue;
    } else {
      const queue = new sqs.Queue(this, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.encryptionKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: Sandbox.removalPolicy(this),
      });
      NagAcknowledgements.acknowledge(queue, 'AwsSolutions-SQS3',
        'This queue is itself the on-failure destination of the Kinesis event source mapping; it holds batch metadata for investigation and needs no further dead-letter queue.');
      this.deadLetterQueue = queue;
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });

    this.role = new iam.Role(this, 'Role', {
      description: `Stream consumer function of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const policy = new iam.Policy(this, 'Policy', { roles: [this.role] });
    policy.addStatements(
      // the log group's ARN ends in ":*", which covers its log streams
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'SeenSet',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        resources: [this.seenTable.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'SeenSetEncryption',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      }),
    );
    this.consumerFunction = new nodejs.NodejsFunction(this, 'Function', {
      description: `Idempotent Kinesis consumer of ${this.node.path}`,
      entry: props.entry ?? path.join(HANDLER_DIR, 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        SEEN_TABLE_NAME: this.seenTable.tableName,
        SEEN_TTL_SECONDS: String(seenTtl.toSeconds()),
        ID_FIELD: props.idField ?? 'recordId',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        // the SDK v3 is part of the Node.js runtime
        externalModules: ['@aws-sdk/*'],
        // in this repository, resolve @analytics-patterns/* to the workspace sources
        ...(fs.existsSync(path.join(REPO_ROOT, 'tsconfig.json')) ? { tsconfig: path.join(REPO_ROOT, 'tsconfig.json') } : {}),
      },
      ...(fs.existsSync(path.join(REPO_ROOT, 'package-lock.json'))
        ? { depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'), projectRoot: REPO_ROOT }
        : {}),
    });
    this.consumerFunction.node.addDependency(policy);

    const sourceProps: sources.KinesisEventSourceProps = {
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow,
      parallelizationFactor: props.parallelizationFactor ?? 1,
      bisectBatchOnError: props.bisectBatchOnError ?? true,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge,
      reportBatchItemFailures: true,
      onFailure: new sources.SqsDlq(this.deadLetterQueue),
    };
    if (props.enhancedFanOut ?? false) {
      this.fanOutConsumer = new kinesis.StreamConsumer(this, 'FanOutConsumer', {
        stream: props.stream,
        streamConsumerName: props.consumerName ?? `${stack.stackName}-${this.node.id}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 128),
      });
      const source = new sources.KinesisConsumerEventSource(this.fanOutConsumer, sourceProps);
      this.consumerFunction.addEventSource(source);
      this.eventSource = source;
      this.eventSourceMappingId = source.eventSourceMappingId;
    } else {
      const source = new sources.KinesisEventSource(props.stream, sourceProps);
      this.consumerFunction.addEventSource(source);
      this.eventSource = source;
      this.eventSourceMappingId = source.eventSourceMappingId;
    }
    if (this.deadLetterQueue.encryptionMasterKey) {
      NagAcknowledgements.acknowledge(this.role, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        'Added by Lambda\'s SqsDlq grant (grantSendMessages) so the event source mapping can send failure records to the KMS-encrypted on-failure queue; scoped to that queue\'s key.');
      NagAcknowledgements.acknowledge(this.role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'Added by Lambda\'s SqsDlq grant (grantSendMessages) so the event source mapping can send failure records to the KMS-encrypted on-failure queue; scoped to that queue\'s key.');
    }

    // ---- alarms ----
    const iteratorAge = props.iteratorAgeThreshold ?? Duration.minutes(15);
    this.iteratorAgeAlarm = this.consumerFunction.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) })
      .createAlarm(this, 'IteratorAgeAlarm', {
        alarmDescription: `${this.node.path} processes records more than ${iteratorAge.toHumanString()} after they arrived: it falls behind the stream.`,
        threshold: iteratorAge.toMilliseconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.discardedBatchAlarm = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) })
      .createAlarm(this, 'DiscardedBatchAlarm', {
        alarmDescription: `${this.node.path} discarded a batch after its retries or record age: its metadata is in the on-failure queue.`,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    AlarmNotifications.notify([this.iteratorAgeAlarm, this.discardedBatchAlarm], props.alarmTopic);
  }

  private validate(props: StreamConsumerProps): void {
    Validate.integer(this, 'batchSize', 1, 10_000, props.batchSize, 'records');
    Validate.integer(this, 'maxBatchingWindow', 0, 300, props.maxBatchingWindow?.toSeconds({ integral: false }), 'seconds');
    Validate.integer(this, 'parallelizationFactor', 1, 10, props.parallelizationFactor, 'concurrent batches per shard');
    Validate.integer(this, 'retryAttempts', 0, 10_000, props.retryAttempts, 'retries');
    Validate.integer(this, 'maxRecordAge', 60, 604_800, props.maxRecordAge?.toSeconds({ integral: false }), 'seconds', 'That is 1 minute to 7 days.');
    Validate.integer(this, 'memorySize', 128, 10_240, props.memorySize, 'MiB');
    Validate.integer(this, 'timeout', 1, 900, props.timeout?.toSeconds({ integral: false }), 'seconds');
    Validate.integer(this, 'seenTtl', 3600, 31_536_000, props.seenTtl?.toSeconds({ integral: false }), 'seconds', 'That is 1 hour to 365 days.');
    const age = (props.maxRecordAge ?? Duration.days(1)).toSeconds();
    const ttl = (props.seenTtl ?? Duration.days(7)).toSeconds();
    Validate.that(this, Token.isUnresolved(age) || Token.isUnresolved(ttl) || ttl >= age, {
      prop: 'seenTtl', value: `${ttl} seconds`, allowed: `at least maxRecordAge (${age} seconds): a retried record can arrive that late and must still be recognised`,
    });
    if (props.startingPosition !== undefined) {
      Validate.oneOf(this, 'startingPosition', [lambda.StartingPosition.TRIM_HORIZON, lambda.StartingPosition.LATEST], props.startingPosition);
    }
    if (props.idField !== undefined) {
      Validate.pattern(this, 'idField', '^[A-Za-z_][A-Za-z0-9_]{0,63}$', 'a JSON field name: letters, digits and "_", at most 64 characters', props.idField);
    }
    if (props.consumerName !== undefined) {
      Validate.that(this, props.enhancedFanOut === true, { prop: 'consumerName', value: props.consumerName, allowed: 'only with enhancedFanOut: true' });
      Validate.pattern(this, 'consumerName', '^[a-zA-Z0-9_.-]{1,128}$', '1-128 characters: letters, digits, "_", "." and "-"', props.consumerName);
    }
    if (props.entry !== undefined) {
      Validate.that(this, fs.existsSync(props.entry), { prop: 'entry', value: props.entry, allowed: 'an existing handler file' });
    }
  }
}
