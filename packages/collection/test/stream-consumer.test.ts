import { expectNagClean, expectPropError, logicalId as id, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { StreamConsumer, StreamConsumerProps, StreamIngestion } from '../src';

function build(props: Partial<StreamConsumerProps> = {}, sandbox = false) {
  const stack = testStack({ sandbox });
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  const consumer = new StreamConsumer(stack, 'Consumer', { stream, ...props });
  const template = Template.fromStack(stack);
  return { stack, stream, consumer, template };
}

function statements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('StreamConsumer defaults', () => {
  const { stack, stream, consumer, template } = build();
  const keyArn = { 'Fn::GetAtt': [id(stack, consumer.encryptionKey), 'Arn'] };
  const queueArn = { 'Fn::GetAtt': [id(stack, consumer.deadLetterQueue), 'Arn'] };
  const tableArn = { 'Fn::GetAtt': [id(stack, consumer.seenTable), 'Arn'] };

  test('event source mapping: shared throughput, batch 100, bisect, 10 retries, 1 day max age, partial batch responses, SQS on failure', () => {
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack, stream), 'Arn'] },
      FunctionName: { Ref: id(stack, consumer.consumerFunction) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: queueArn } },
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  test('seen-set table: recordId key, TTL on expiresAt, CMK, PITR, on-demand, retained', () => {
    const table = template.toJSON().Resources[id(stack, consumer.seenTable)];
    expect(table).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'recordId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('on-failure queue: CMK, TLS only, 14 days, retained', () => {
    const queue = template.toJSON().Resources[id(stack, consumer.deadLetterQueue)];
    expect(queue).toMatchObject({ DeletionPolicy: 'Retain', Properties: { KmsMasterKeyId: keyArn, MessageRetentionPeriod: 1209600 } });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: queueArn })] },
    });
  });

  test('function: Node.js 24 on arm64, its own encrypted log group, seen-set settings in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [id(stack, consumer.role), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: id(stack, consumer.logGroup) } },
      Environment: { Variables: { SEEN_TABLE_NAME: { Ref: id(stack, consumer.seenTable) }, SEEN_TTL_SECONDS: '604800', ID_FIELD: 'recordId' } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn, RetentionInDays: 365 });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(template.toJSON().Resources[id(stack, consumer.role)].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('least privilege: exact actions on the table, key, log group, queue and stream ARNs', () => {
    const all = statements(template);
    expect(all).toEqual(expect.arrayContaining([
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [id(stack, consumer.logGroup), 'Arn'] } },
      {
        Sid: 'SeenSet',
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        Resource: tableArn,
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      },
      {
        Sid: 'SeenSetEncryption',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      },
      { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: queueArn },
      // the on-failure queue's key: only what sending needs, only through SQS
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
      expect.objectContaining({ Action: expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']), Resource: { 'Fn::GetAtt': [id(stack, stream), 'Arn'] } }),
    ]));
    // every statement on the key carries kms:ViaService (no direct use of the key)
    expect(all.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn)).every((s) => s.Condition?.StringEquals?.['kms:ViaService'])).toBe(true);
    for (const s of all) {
      expect(s.Resource).not.toBe('*');
      for (const a of [s.Action].flat()) expect(a).not.toMatch(/^[a-z0-9]+:\*$/);
    }
  });

  test('alarms on iterator age and discarded batches', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 900000,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack, consumer.consumerFunction) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('StreamConsumer options', () => {
  test('enhanced fan-out: a registered consumer is the event source, with SubscribeToShard on it', () => {
    const { stack, stream, consumer, template } = build({ enhancedFanOut: true, consumerName: 'analytics-app' });
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', { ConsumerName: 'analytics-app', StreamARN: { 'Fn::GetAtt': [id(stack, stream), 'Arn'] } });
    const consumerArn = { 'Fn::GetAtt': [id(stack, consumer.fanOutConsumer!), 'ConsumerARN'] };
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: consumerArn });
    expect(statements(template)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'], Resource: consumerArn }),
    ]));
  });

  test('tuning props reach the event source mapping and the function', () => {
    const { template } = build({
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(5),
      parallelizationFactor: 4,
      bisectBatchOnError: false,
      retryAttempts: 0,
      maxRecordAge: Duration.hours(2),
      startingPosition: lambda.StartingPosition.LATEST,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      seenTtl: Duration.days(2),
      idField: 'eventId',
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 4,
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: 0,
      MaximumRecordAgeInSeconds: 7200,
      StartingPosition: 'LATEST',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024, Timeout: 300, Environment: { Variables: Match.objectLike({ SEEN_TTL_SECONDS: '172800', ID_FIELD: 'eventId' }) },
    });
  });

  test('existing key and queue are used; alarms notify a topic', () => {
    const stack = testStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const queue = new sqs.Queue(stack, 'MyQueue', { encryption: sqs.QueueEncryption.KMS_MANAGED });
    const topic = new sns.Topic(stack, 'Topic');
    const consumer = new StreamConsumer(stack, 'Consumer', { stream, encryptionKey: key, deadLetterQueue: queue, alarmTopic: topic });
    const template = Template.fromStack(stack);
    expect(consumer.deadLetterQueue).toBe(queue);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [id(stack, key), 'Arn'] } } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id(stack, queue), 'Arn'] } } } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', AlarmActions: [{ Ref: id(stack, topic) }], OKActions: [{ Ref: id(stack, topic) }] });
  });

  test('sandbox mode destroys the table, queue and log group', () => {
    const { stack, consumer, template } = build({}, true);
    const resources = template.toJSON().Resources;
    for (const c of [consumer.seenTable, consumer.deadLetterQueue, consumer.logGroup]) {
      expect(resources[id(stack, c as any)].DeletionPolicy).toBe('Delete');
    }
  });

  test('consumes a StreamIngestion stream (CMK-encrypted): decrypt on the stream key is granted', () => {
    const stack = testStack();
    const ingestion = new StreamIngestion(stack, 'Ingest');
    new StreamConsumer(stack, 'Consumer', { stream: ingestion.stream, encryptionKey: ingestion.encryptionKey });
    const template = Template.fromStack(stack);
    expect(statements(template)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [id(stack, ingestion.encryptionKey), 'Arn'] } }),
    ]));
  });
});

describe('StreamConsumer validation', () => {
  const path = 'TestStack/Consumer';
  const cases: Array<[string, Partial<StreamConsumerProps>, string, string]> = [
    ['batchSize', { batchSize: 10_001 }, '10001', '1-10000'],
    ['batchSize', { batchSize: 0 }, '0', '1-10000'],
    ['maxBatchingWindow', { maxBatchingWindow: Duration.seconds(301) }, '301', '0-300 seconds'],
    ['parallelizationFactor', { parallelizationFactor: 11 }, '11', '1-10'],
    ['retryAttempts', { retryAttempts: 10_001 }, '10001', '0-10000'],
    ['maxRecordAge', { maxRecordAge: Duration.seconds(59) }, '59', '60-604800'],
    ['maxRecordAge', { maxRecordAge: Duration.days(8) }, '691200', '60-604800'],
    ['memorySize', { memorySize: 64 }, '64', '128-10240'],
    ['timeout', { timeout: Duration.minutes(16) }, '960', '1-900'],
    ['seenTtl', { seenTtl: Duration.minutes(30) }, '1800', '3600-31536000'],
    ['seenTtl', { seenTtl: Duration.hours(2), maxRecordAge: Duration.hours(3) }, '7200 seconds', 'at least maxRecordAge (10800 seconds)'],
    ['startingPosition', { startingPosition: lambda.StartingPosition.AT_TIMESTAMP }, 'AT_TIMESTAMP', 'one of TRIM_HORIZON, LATEST'],
    ['idField', { idField: 'record-id' }, 'record-id', 'a JSON field name'],
    ['consumerName', { consumerName: 'app' }, 'app', 'only with enhancedFanOut: true'],
    ['consumerName', { enhancedFanOut: true, consumerName: 'bad name' }, 'bad name', '1-128 characters'],
    ['handler', { handler: 'index.handler' }, 'index.handler', 'only with code'],
    ['handler', { code: lambda.Code.fromInline('x'), handler: 'no-export' }, 'no-export', 'a handler "<file>.<export>"'],
  ];
  test.each(cases.map(([prop, props, value, allowed]) => [prop, value, props, allowed] as const))('%s = %s is refused', (prop, value, props, allowed) => {
    const stack = testStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    expectPropError(() => new StreamConsumer(stack, 'Consumer', { stream, ...props }), { path, prop, value, allowed });
  });
});

describe('StreamConsumer compliance', () => {
  test('cdk-nag, four packs: no unacknowledged findings, each acknowledgement with a reason', () => {
    const stack = testStack();
    const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
    new StreamConsumer(stack, 'Consumer', { stream, enhancedFanOut: true });
    const report = expectNagClean(stack);
    expect(report.acknowledged.map((a) => a.rule).sort()).toEqual(expect.arrayContaining(['AwsSolutions-SQS3']));
    for (const a of report.acknowledged) expect(a.reason.length).toBeGreaterThan(40);
  });
});
