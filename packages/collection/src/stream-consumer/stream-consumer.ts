import * as fs from 'fs';
import * as path from 'path';
import {
  ConstructAlarms, CustomerManagedPolicies, KinesisLimits, LambdaLimits, Limit, NagAcknowledgements, Sandbox, TimeUnit, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { StreamConsumerProps } from './stream-consumer-props';

/**
 * The pre-built default handler: `lambda/stream-consumer/*.ts` bundled by `lambda/build.js`
 * (with the producer's de-aggregation inlined) into `lambda-dist/`, which the package ships.
 */
const DEFAULT_CODE_DIR = path.join(__dirname, '..', '..', 'lambda-dist', 'stream-consumer');
const PERIOD = Duration.minutes(5);
/**
 * How long a record id is remembered: this library's rule (DynamoDB TTL has no bound), from an
 * hour, the shortest window that still covers a retried batch, to a year.
 */
const SEEN_TTL_SECONDS: Limit = { min: 3600, max: 31_536_000, unit: 'seconds', integer: true };
const ID_FIELD = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
const HANDLER = '^[A-Za-z0-9_./-]+\\.[A-Za-z_$][A-Za-z0-9_$]*$';

/** Converted props of a StreamConsumer (internal). */
interface ConsumerPlan {
  readonly maxRecordAgeSeconds: number;
  readonly seenTtlSeconds: number;
  readonly batchingWindowSeconds?: number;
  readonly timeoutSeconds: number;
  readonly iteratorAgeMillis: number;
}

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
 * - The handler ships pre-built inside this package (no esbuild, Docker or extra dependency in
 *   your project); your own processing plugs in through `code` and the published runtime
 *   `@analytics-patterns/collection/runtime/stream-consumer`.
 * - Duplicates: producers retry (a record is written twice) and Lambda retries batches; the
 *   handler drops records whose id (embedded by `@analytics-patterns/producer`) it already
 *   processed, using a DynamoDB table with TTL as the seen-set.
 * - Failures never block a shard forever: bounded retries (10) and record age (1 day) by
 *   default, unlike AWS's infinite defaults, and a bad record is isolated by bisecting.
 * - Encrypted with a customer-managed key (table, queue, logs); the table has PITR and is
 *   RETAINed; the function's role has exact actions on exact ARNs; every alarm notifies.
 */
export class StreamConsumer extends Construct {
  /** The consumer function. */
  public readonly consumerFunction: lambda.Function;
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
  /** The alarms of this construct, all notifying {@link alarmTopic}. */
  public readonly monitoring: ConstructAlarms;
  /** Alarm: records wait too long before being processed (IteratorAge, maximum). */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;
  /** Alarm: a batch was discarded to the on-failure queue. */
  public readonly discardedBatchAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const plan = this.validate(props);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    this.seenTable = this.createSeenTable();
    this.deadLetterQueue = props.deadLetterQueue ?? this.createDeadLetterQueue();
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.role = this.createRole();
    this.consumerFunction = this.createFunction(props, plan);
    [this.eventSource, this.fanOutConsumer] = this.connectStream(props, plan);
    this.eventSourceMappingId = (this.eventSource as sources.KinesisEventSource).eventSourceMappingId;
    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    [this.iteratorAgeAlarm, this.discardedBatchAlarm] = this.createAlarms(plan);
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

  private createSeenTable(): dynamodb.Table {
    return new dynamodb.Table(this, 'SeenTable', {
      partitionKey: { name: 'recordId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: Sandbox.removalPolicy(this),
    });
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: Sandbox.removalPolicy(this),
    });
    NagAcknowledgements.acknowledge(queue, 'AwsSolutions-SQS3',
      'This queue is itself the on-failure destination of the Kinesis event source mapping; it holds batch metadata for investigation and needs no further dead-letter queue.');
    return queue;
  }

  /** The function's role: its log group, and the seen-set table with its key through DynamoDB. */
  private createRole(): iam.Role {
    const role = new iam.Role(this, 'Role', {
      description: `Stream consumer function of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const policy = new iam.Policy(this, 'Policy', { roles: [role] });
    policy.addStatements(
      // the log group's ARN ends in ":*", which covers its log streams
      new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({
        sid: 'SeenSet',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        resources: [this.seenTable.tableArn],
        conditions: { Bool: { 'aws:SecureTransport': 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'SeenSetEncryption',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    return role;
  }

  private createFunction(props: StreamConsumerProps, plan: ConsumerPlan): lambda.Function {
    const fn = new lambda.Function(this, 'Function', {
      description: `Idempotent Kinesis consumer of ${this.node.path}`,
      code: props.code ?? lambda.Code.fromAsset(defaultCodeDir()),
      handler: props.handler ?? 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: Duration.seconds(plan.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.vpc ? props.securityGroups : undefined,
      environment: {
        SEEN_TABLE_NAME: this.seenTable.tableName,
        SEEN_TTL_SECONDS: Tokenization.stringifyNumber(plan.seenTtlSeconds),
        ID_FIELD: props.idField ?? 'recordId',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    fn.node.addDependency(this.node.findChild('Policy'));
    this.acknowledgeFunctionRules(fn, props);
    return fn;
  }

  /** The compliance packs' Lambda rules this construct answers with a prop, or that do not apply. */
  private acknowledgeFunctionRules(fn: lambda.Function, props: StreamConsumerProps): void {
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
      NagAcknowledgements.acknowledge(fn, `${pack}-LambdaDLQ`,
        'A function-level dead-letter queue only serves asynchronous invocations; this function is invoked by a Kinesis event source mapping, whose failed batches go to the on-failure SQS destination (deadLetterQueue).');
      if (props.reservedConcurrentExecutions === undefined) {
        NagAcknowledgements.acknowledge(fn, `${pack}-LambdaConcurrency`,
          'Concurrency is bounded by the Kinesis event source mapping (shards x parallelizationFactor batches at a time); set reservedConcurrentExecutions to reserve and cap it.');
      }
      NagAcknowledgements.acknowledge(this.seenTable, `${pack}-DynamoDBInBackupPlan`,
        'The seen-set holds only record ids with a TTL (derived data); point-in-time recovery is on, and losing it re-admits at most the duplicates of one TTL window.');
    }
    if (props.vpc === undefined) {
      NagAcknowledgements.acknowledgeCompliance(fn, 'LambdaInsideVPC',
        'The function only calls AWS APIs (Kinesis through its event source mapping, DynamoDB, SQS, KMS, CloudWatch Logs) and holds no network endpoint; set vpc to run it in a VPC.');
    } else {
      // what Lambda needs to attach the function to the subnets (not added for a role passed in)
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      NagAcknowledgements.acknowledge(this.role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        'A function in a VPC (vpc is set) needs the network interface actions of this AWS managed policy, and nothing else it holds, to attach to the subnets.');
    }
  }

  /** The event source mapping: shared throughput, or an enhanced fan-out consumer. */
  private connectStream(props: StreamConsumerProps, plan: ConsumerPlan): [lambda.IEventSource, kinesis.StreamConsumer?] {
    const sourceProps: sources.KinesisEventSourceProps = {
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: plan.batchingWindowSeconds === undefined ? undefined : Duration.seconds(plan.batchingWindowSeconds),
      parallelizationFactor: props.parallelizationFactor ?? 1,
      bisectBatchOnError: props.bisectBatchOnError ?? true,
      retryAttempts: props.retryAttempts ?? 10,
      // aws-cdk-lib compares maxRecordAge with its range and fails on a token: set below instead
      maxRecordAge: Token.isUnresolved(plan.maxRecordAgeSeconds) ? undefined : Duration.seconds(plan.maxRecordAgeSeconds),
      reportBatchItemFailures: true,
      onFailure: new KeyScopedSqsDlq(this.deadLetterQueue),
    };
    let result: [lambda.IEventSource, kinesis.StreamConsumer?];
    if (props.enhancedFanOut ?? false) {
      const consumer = new kinesis.StreamConsumer(this, 'FanOutConsumer', {
        stream: props.stream,
        streamConsumerName: props.consumerName ?? `${Stack.of(this).stackName}-${this.node.id}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 128),
      });
      result = [new sources.KinesisConsumerEventSource(consumer, sourceProps), consumer];
    } else {
      result = [new sources.KinesisEventSource(props.stream, sourceProps), undefined];
    }
    this.consumerFunction.addEventSource(result[0]);
    if (Token.isUnresolved(plan.maxRecordAgeSeconds)) {
      const mapping = this.consumerFunction.node.children.find((c): c is lambda.EventSourceMapping => c instanceof lambda.EventSourceMapping)!;
      (mapping.node.defaultChild as lambda.CfnEventSourceMapping).maximumRecordAgeInSeconds = plan.maxRecordAgeSeconds;
    }
    return result;
  }

  private createAlarms(plan: ConsumerPlan): [cloudwatch.Alarm, cloudwatch.Alarm] {
    return [
      this.monitoring.add('IteratorAgeAlarm', {
        metric: this.consumerFunction.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD }),
        threshold: plan.iteratorAgeMillis,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `${this.node.path} processes records too long after they arrived (iterator age above the threshold): it falls behind the stream.`,
      }),
      this.monitoring.add('DiscardedBatchAlarm', {
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `${this.node.path} discarded a batch after its retries or record age: its metadata is in the on-failure queue.`,
      }),
    ];
  }

  private validate(props: StreamConsumerProps): ConsumerPlan {
    Validate.number(this, props.batchSize, { prop: 'batchSize', ...LambdaLimits.KINESIS_BATCH_SIZE });
    Validate.number(this, props.parallelizationFactor, { prop: 'parallelizationFactor', ...LambdaLimits.PARALLELIZATION_FACTOR });
    Validate.number(this, props.retryAttempts, { prop: 'retryAttempts', ...LambdaLimits.RETRY_ATTEMPTS });
    Validate.number(this, props.memorySize, { prop: 'memorySize', ...LambdaLimits.MEMORY_MIB });
    Validate.number(this, props.reservedConcurrentExecutions, { prop: 'reservedConcurrentExecutions', ...LambdaLimits.RESERVED_CONCURRENCY });
    Validate.that(this, props.vpc !== undefined || (props.vpcSubnets === undefined && props.securityGroups === undefined), {
      prop: props.vpcSubnets ? 'vpcSubnets' : 'securityGroups', value: 'given', allowed: 'only together with vpc',
    });
    const plan: ConsumerPlan = {
      batchingWindowSeconds: Validate.duration(this, props.maxBatchingWindow, { prop: 'maxBatchingWindow', in: TimeUnit.SECONDS, ...LambdaLimits.MAX_BATCHING_WINDOW_SECONDS }),
      maxRecordAgeSeconds: Validate.duration(this, props.maxRecordAge ?? Duration.days(1), {
        prop: 'maxRecordAge', in: TimeUnit.SECONDS, ...LambdaLimits.MAX_RECORD_AGE_SECONDS, hint: 'That is 1 minute to 7 days.',
      })!,
      timeoutSeconds: Validate.duration(this, props.timeout ?? Duration.seconds(60), { prop: 'timeout', in: TimeUnit.SECONDS, ...LambdaLimits.TIMEOUT_SECONDS })!,
      seenTtlSeconds: Validate.duration(this, props.seenTtl ?? Duration.days(7), { prop: 'seenTtl', in: TimeUnit.SECONDS, ...SEEN_TTL_SECONDS, hint: 'That is 1 hour to 365 days.' })!,
      iteratorAgeMillis: Validate.duration(this, props.iteratorAgeThreshold ?? Duration.minutes(15), {
        prop: 'iteratorAgeThreshold', in: TimeUnit.MILLISECONDS, min: 1, max: LambdaLimits.MAX_RECORD_AGE_SECONDS.max * 1000, integer: true,
      })!,
    };
    const { maxRecordAgeSeconds: age, seenTtlSeconds: ttl } = plan;
    Validate.that(this, Token.isUnresolved(age) || Token.isUnresolved(ttl) || ttl >= age, {
      prop: 'seenTtl', value: `${ttl} seconds`, allowed: `at least maxRecordAge (${age} seconds): a retried record can arrive that late and must still be recognised`,
    });
    this.validateNames(props);
    return plan;
  }

  private validateNames(props: StreamConsumerProps): void {
    if (props.startingPosition !== undefined) {
      Validate.oneOf(this, 'startingPosition', [lambda.StartingPosition.TRIM_HORIZON, lambda.StartingPosition.LATEST], props.startingPosition);
    }
    Validate.pattern(this, 'idField', ID_FIELD, 'a JSON field name: letters, digits and "_", at most 64 characters', props.idField);
    if (props.consumerName !== undefined) {
      Validate.that(this, props.enhancedFanOut === true, { prop: 'consumerName', value: props.consumerName, allowed: 'only with enhancedFanOut: true' });
      Validate.resourceName(this, 'consumerName', props.consumerName, KinesisLimits.CONSUMER_NAME);
    }
    Validate.pattern(this, 'handler', HANDLER, 'a handler "<file>.<export>", e.g. "index.handler"', props.handler);
    if (props.handler !== undefined) {
      Validate.that(this, props.code !== undefined, { prop: 'handler', value: props.handler, allowed: 'only with code (the default code exports index.handler)' });
    }
  }
}

/** The pre-built default handler's folder; a clear error when the package was not built. */
function defaultCodeDir(): string {
  if (!fs.existsSync(path.join(DEFAULT_CODE_DIR, 'index.js'))) {
    throw new Error(`The pre-built StreamConsumer handler is missing at ${DEFAULT_CODE_DIR}: in a source checkout of `
      + '@analytics-patterns/collection, run `npx projen bundle:lambda` in packages/collection (npm test and the build do it).');
  }
  return DEFAULT_CODE_DIR;
}

/**
 * The on-failure destination of the event source mapping: what `sources.SqsDlq` does, with the
 * queue key limited to what sending to an SSE-KMS queue needs (kms:GenerateDataKey and
 * kms:Decrypt) and to calls SQS makes (`kms:ViaService`). `SqsDlq` grants the role
 * kms:Encrypt/Decrypt/ReEncrypt and GenerateDataKey* on the key for any use, which is the whole
 * key when the queue shares it with other data (e.g. an application key).
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
class KeyScopedSqsDlq implements lambda.IEventSourceDlq {
  constructor(private readonly queue: sqs.IQueue) {}

  public bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    iam.Grant.addToPrincipal({
      grantee: targetHandler,
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resourceArns: [this.queue.queueArn],
    });
    const key = this.queue.encryptionMasterKey;
    if (key) {
      iam.Grant.addToPrincipalOrResource({
        grantee: targetHandler,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resourceArns: [key.keyArn],
        resourceSelfArns: ['*'],
        resource: key,
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this.queue).region}.amazonaws.com` } },
      });
    }
    return { destination: this.queue.queueArn };
  }
}
