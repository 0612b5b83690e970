import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, logicalId, numberParameter, OTHER_ACCOUNT, Principals,
  stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecureQueue, SecureQueueProps } from '../src';

const ACCOUNT = '123456789012';
const RULE_ARN = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/orders-to-queue`;
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT}:orders`;
const VIA_SQS = { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' };
const FROM_ALARM = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x` };

describe('SecureQueue: standard queue with defaults, a producer, a consumer, an EventBridge rule and an SNS topic', () => {
  const stack = testStack();
  const q = new SecureQueue(stack, 'Orders');
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  q.grantSendMessages(producer);
  q.grantConsumeMessages(consumer);
  q.allowEventBridgeRule(events.Rule.fromEventRuleArn(stack, 'Rule', RULE_ARN));
  q.allowSnsTopic(sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN));
  const t = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const queue = q.queue.queueArn;
  const key = q.encryptionKey.keyArn;

  test('CMK, long polling, 4-day retention, DLQ after 5 receives, TLS only, retained', () => {
    const keyArn = { 'Fn::GetAtt': [logicalId(stack, q.encryptionKey), 'Arn'] };
    const dlqId = logicalId(stack, q.deadLetterQueue);
    t.hasResource('AWS::SQS::Queue', {
      Properties: {
        KmsMasterKeyId: keyArn,
        KmsDataKeyReusePeriodSeconds: 300,
        MessageRetentionPeriod: 345600,
        ReceiveMessageWaitTimeSeconds: 20,
        VisibilityTimeout: 30,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      },
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600, KmsMasterKeyId: keyArn });
    for (const policy of Object.values(t.findResources('AWS::SQS::QueuePolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    }
  });

  test('logical ids of the stateful resources are pinned', () => {
    expect([logicalId(stack, q.encryptionKey), logicalId(stack, q.deadLetterQueue), logicalId(stack, q.queue)])
      .toEqual(['OrdersKeyB9756803', 'OrdersDeadLetterQueueA73944CE', 'OrdersQueueC538DD4C']);
  });

  test('alarms (whole): any message in the DLQ, oldest message over half the retention; both notify the topic the queue creates', () => {
    const topicRef = { Ref: logicalId(stack, q.alarmTopic as sns.Topic) };
    const props = (alarm: any) => t.toJSON().Resources[logicalId(stack, alarm)].Properties;
    expect(q.alarms).toEqual([q.deadLetterAlarm, q.oldestMessageAlarm]);
    expect(props(q.deadLetterAlarm)).toEqual({
      AlarmDescription: 'Messages of TestStack/Orders failed 5 times and are in the dead-letter queue.',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, q.deadLetterQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    expect(props(q.oldestMessageAlarm)).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 172800, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [topicRef], OKActions: [topicRef],
    });
  });

  test('run time: CloudWatch alarms publish to the alarm topic and use its key', async () => {
    await access.expectAllowed(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: q.alarmTopic.topicArn, context: FROM_ALARM },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: FROM_ALARM },
    );
  });

  test('run time: a granted producer sends with the key through SQS; a granted consumer receives and decrypts', async () => {
    await access.expectAllowed(
      { principal: producer.roleArn, action: 'sqs:SendMessage', resource: queue },
      { principal: producer.roleArn, action: 'kms:GenerateDataKey', resource: key, context: VIA_SQS },
      { principal: producer.roleArn, action: 'kms:Decrypt', resource: key, context: VIA_SQS },
      { principal: consumer.roleArn, action: 'sqs:ReceiveMessage', resource: queue },
      { principal: consumer.roleArn, action: 'sqs:DeleteMessage', resource: queue },
      { principal: consumer.roleArn, action: 'sqs:ChangeMessageVisibility', resource: queue },
      { principal: consumer.roleArn, action: 'kms:Decrypt', resource: key, context: VIA_SQS },
    );
    await access.expectDenied(
      { principal: producer.roleArn, action: 'kms:GenerateDataKey', resource: key },
      { principal: producer.roleArn, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      { principal: producer.roleArn, action: 'sqs:ReceiveMessage', resource: queue },
      { principal: consumer.roleArn, action: 'sqs:SendMessage', resource: queue },
      { principal: consumer.roleArn, action: 'kms:GenerateDataKey', resource: key, context: VIA_SQS },
    );
    await access.expectExplicitlyDenied(
      { principal: producer.roleArn, action: 'sqs:SendMessage', resource: queue, context: { 'aws:SecureTransport': 'false' } },
      { principal: consumer.roleArn, action: 'sqs:ReceiveMessage', resource: queue, context: { 'aws:SecureTransport': 'false' } },
    );
  });

  test('run time: the EventBridge rule and the SNS topic deliver (queue and key); other rules and topics are refused', async () => {
    const fromRule = { 'aws:SourceArn': RULE_ARN };
    const fromTopic = { 'aws:SourceArn': TOPIC_ARN };
    await access.expectAllowed(
      { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queue, context: fromRule },
      { principal: 'events.amazonaws.com', action: 'kms:GenerateDataKey', resource: key },
      { principal: 'events.amazonaws.com', action: 'kms:Decrypt', resource: key },
      { principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', resource: queue, context: fromTopic },
      { principal: 'sns.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: fromTopic },
      { principal: 'sns.amazonaws.com', action: 'kms:Decrypt', resource: key, context: fromTopic },
    );
    await access.expectDenied(
      { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queue, context: { 'aws:SourceArn': `arn:aws:events:eu-west-1:${OTHER_ACCOUNT}:rule/theirs` } },
      { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queue },
      { principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', resource: queue, context: { 'aws:SourceArn': `arn:aws:sns:eu-west-1:${ACCOUNT}:other` } },
      { principal: 'sns.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: { 'aws:SourceArn': `arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:theirs` } },
      { principal: 'sns.amazonaws.com', action: 'kms:GenerateDataKey', resource: key },
      { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: q.deadLetterQueue.queueArn, context: fromRule },
    );
  });

  test('run time: strangers, another account, unsigned and plain-HTTP requests are refused on both queues and the key', async () => {
    for (const target of [queue, q.deadLetterQueue.queueArn]) {
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action: 'sqs:SendMessage', resource: target },
        { principal: Principals.strangerInAccount(), action: 'sqs:ReceiveMessage', resource: target },
        { ...Principals.otherAccountAdmin(), action: 'sqs:SendMessage', resource: target },
        { ...Principals.otherAccountAdmin(), action: 'sqs:ReceiveMessage', resource: target },
        { principal: Principals.anonymous, action: 'sqs:SendMessage', resource: target },
        { principal: Principals.anonymous, action: 'sqs:ReceiveMessage', resource: target },
      );
      await access.expectExplicitlyDenied(
        { ...Principals.otherAccountAdmin(), action: 'sqs:SendMessage', resource: target, context: { 'aws:SecureTransport': 'false' } },
      );
    }
    await access.expectDenied(
      { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: key, context: VIA_SQS },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key, context: VIA_SQS },
      { ...Principals.otherAccountAdmin(), action: 'kms:GenerateDataKey', resource: key },
    );
  });
});

describe('SecureQueue: FIFO, named', () => {
  const stack = testStack();
  const q = new SecureQueue(stack, 'Payments', { fifo: true, highThroughputFifo: true, queueName: 'payments.fifo' });
  const t = Template.fromStack(stack);

  test('content-based deduplication by default, FIFO DLQ named <name>-dlq.fifo, high-throughput option', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'payments.fifo', FifoQueue: true, ContentBasedDeduplication: true, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId',
    });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'payments-dlq.fifo', FifoQueue: true, MessageRetentionPeriod: 1209600 });
    t.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 2);
  });

  test('logical ids of the stateful resources are pinned', () => {
    expect([logicalId(stack, q.encryptionKey), logicalId(stack, q.deadLetterQueue), logicalId(stack, q.queue)])
      .toEqual(['PaymentsKey94C893CD', 'PaymentsDeadLetterQueue6627B8CC', 'PaymentsQueueC485226B']);
  });
});

test('SecureQueue: a given alarm topic receives both alarms (no topic created); sandbox mode destroys the queues', () => {
  const stack = testStack({ sandbox: true });
  const topic = new sns.Topic(stack, 'Ops');
  const q = new SecureQueue(stack, 'Q', { alarmTopic: topic, queueName: 'jobs' });
  const t = Template.fromStack(stack);
  t.resourceCountIs('AWS::SNS::Topic', 1);
  expect(q.alarmTopic).toBe(topic);
  for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
    expect(a.Properties.AlarmActions).toEqual([{ Ref: logicalId(stack, topic) }]);
    expect(a.Properties.OKActions).toEqual([{ Ref: logicalId(stack, topic) }]);
  }
  for (const queue of Object.values(t.findResources('AWS::SQS::Queue'))) expect(queue.DeletionPolicy).toBe('Delete');
  t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'jobs-dlq' });
});

test('SecureQueue: tokens (CfnParameters) for every numeric, duration and name prop reach the template', () => {
  const stack = testStack();
  const seconds = (name: string) => Duration.seconds(numberParameter(stack, name));
  new SecureQueue(stack, 'Q', {
    retentionPeriod: seconds('Retention'),
    visibilityTimeout: seconds('Visibility'),
    maxMessageSizeBytes: numberParameter(stack, 'MaxSize'),
    maxReceiveCount: numberParameter(stack, 'MaxReceives'),
    receiveMessageWaitTime: seconds('Wait'),
    dataKeyReuse: seconds('KeyReuse'),
    oldestMessageAgeAlarm: seconds('OldestAge'),
    queueName: stringParameter(stack, 'Name'),
  });
  const t = Template.fromStack(stack);
  expectParameterUsed(t, 'Retention', /MessageRetentionPeriod/);
  expectParameterUsed(t, 'Retention', /AlarmDescription/);
  expectParameterUsed(t, 'Visibility', /VisibilityTimeout/);
  expectParameterUsed(t, 'MaxSize', /MaximumMessageSize/);
  expectParameterUsed(t, 'MaxReceives', /RedrivePolicy/);
  expectParameterUsed(t, 'MaxReceives', /AlarmDescription/);
  expectParameterUsed(t, 'Wait', /ReceiveMessageWaitTimeSeconds/);
  expectParameterUsed(t, 'KeyReuse', /KmsDataKeyReusePeriodSeconds/);
  expectParameterUsed(t, 'OldestAge', /Threshold/);
  expectParameterUsed(t, 'Name', /QueueName/);
});

test('SecureQueue: a token retention without oldestMessageAgeAlarm is refused with a clear message (half of it cannot be computed)', () => {
  const stack = testStack();
  expectPropError(() => new SecureQueue(stack, 'Q', { retentionPeriod: Duration.seconds(numberParameter(stack, 'Retention')) }), {
    path: 'TestStack/Q', prop: 'oldestMessageAgeAlarm', allowed: 'a duration when retentionPeriod is a token',
  });
});

describe('SecureQueue: validation against SQS limits (both sides of each)', () => {
  const path = 'TestStack/Q';
  const ok = (props: SecureQueueProps) => expect(() => new SecureQueue(testStack(), 'Q', props)).not.toThrow();
  const fails = (props: SecureQueueProps, prop: string, value: string, allowed: string) =>
    expectPropError(() => new SecureQueue(testStack(), 'Q', props), { path, prop, value, allowed });

  test('retention 60 s - 14 days', () => {
    ok({ retentionPeriod: Duration.seconds(60) });
    ok({ retentionPeriod: Duration.days(14) });
    fails({ retentionPeriod: Duration.seconds(59) }, 'retentionPeriod', '59 seconds', '60-1209600 seconds');
    fails({ retentionPeriod: Duration.days(15) }, 'retentionPeriod', '1296000 seconds', '60-1209600 seconds');
  });

  test('visibility 0 - 12 h, whole seconds (no unit-conversion error from aws-cdk-lib)', () => {
    ok({ visibilityTimeout: Duration.seconds(0) });
    ok({ visibilityTimeout: Duration.hours(12) });
    fails({ visibilityTimeout: Duration.seconds(43_201) }, 'visibilityTimeout', '43201 seconds', '0-43200 seconds');
    fails({ visibilityTimeout: Duration.hours(13) }, 'visibilityTimeout', '46800 seconds', '0-43200 seconds');
    fails({ visibilityTimeout: Duration.millis(1500) }, 'visibilityTimeout', '1.5 seconds', 'a whole number from 0 to 43200 seconds');
  });

  test('message size 1,024 bytes - 1 MiB', () => {
    ok({ maxMessageSizeBytes: 1024 });
    ok({ maxMessageSizeBytes: 1_048_576 });
    fails({ maxMessageSizeBytes: 1023 }, 'maxMessageSizeBytes', '1023 bytes', '1024-1048576 bytes');
    fails({ maxMessageSizeBytes: 1_048_577 }, 'maxMessageSizeBytes', '1048577 bytes', '1024-1048576 bytes');
  });

  test('max receive count 1 - 1,000', () => {
    ok({ maxReceiveCount: 1 });
    ok({ maxReceiveCount: 1000 });
    fails({ maxReceiveCount: 0 }, 'maxReceiveCount', '0', '1-1000');
    fails({ maxReceiveCount: 1001 }, 'maxReceiveCount', '1001', '1-1000');
    fails({ maxReceiveCount: 2.5 }, 'maxReceiveCount', '2.5', 'a whole number from 1 to 1000');
  });

  test('receive wait 0 - 20 s; data key reuse 60 s - 24 h', () => {
    ok({ receiveMessageWaitTime: Duration.seconds(0), dataKeyReuse: Duration.seconds(60) });
    ok({ receiveMessageWaitTime: Duration.seconds(20), dataKeyReuse: Duration.hours(24) });
    fails({ receiveMessageWaitTime: Duration.seconds(21) }, 'receiveMessageWaitTime', '21 seconds', '0-20 seconds');
    fails({ dataKeyReuse: Duration.seconds(59) }, 'dataKeyReuse', '59 seconds', '60-86400 seconds');
    fails({ dataKeyReuse: Duration.seconds(86_401) }, 'dataKeyReuse', '86401 seconds', '60-86400 seconds');
  });

  test('oldest-message alarm below the retention; FIFO-only props', () => {
    ok({ retentionPeriod: Duration.hours(1), oldestMessageAgeAlarm: Duration.seconds(3599) });
    fails({ retentionPeriod: Duration.hours(1), oldestMessageAgeAlarm: Duration.hours(1) }, 'oldestMessageAgeAlarm', '3600 seconds', 'less than the retention period (3600 seconds)');
    fails({ retentionPeriod: Duration.hours(1), oldestMessageAgeAlarm: Duration.hours(2) }, 'oldestMessageAgeAlarm', '7200 seconds', 'less than the retention period (3600 seconds)');
    fails({ contentBasedDeduplication: true }, 'contentBasedDeduplication', 'true', 'only with fifo: true');
    fails({ highThroughputFifo: true }, 'highThroughputFifo', 'true', 'only with fifo: true');
  });

  test('names: 80 characters with the derived dead-letter queue name, .fifo suffix on FIFO queues only', () => {
    ok({ queueName: 'a'.repeat(76) });
    ok({ fifo: true, queueName: `${'a'.repeat(71)}.fifo` });
    fails({ queueName: 'a'.repeat(77) }, 'queueName', `"${'a'.repeat(77)}"`, 'at most 76 characters');
    fails({ fifo: true, queueName: `${'a'.repeat(72)}.fifo` }, 'queueName', `"${'a'.repeat(72)}.fifo"`, 'at most 76 characters');
    fails({ queueName: 'a'.repeat(81) }, 'queueName', `"${'a'.repeat(81)}"`, '1-80 characters');
    fails({ fifo: true, queueName: 'payments' }, 'queueName', '"payments"', 'ending with .fifo');
    fails({ queueName: 'payments.fifo' }, 'queueName', '"payments.fifo"', 'letters, digits');
    fails({ queueName: 'has space' }, 'queueName', '"has space"', 'letters, digits');
  });
});

test('SecureQueue with an imported key and an imported alarm topic: nag clean in the four packs; warnings say what their policies need', () => {
  const stack = testStack();
  const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
  const topic = sns.Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:eu-west-1:${ACCOUNT}:ops`);
  const q = new SecureQueue(stack, 'Q', { encryptionKey: key, alarmTopic: topic });
  q.allowEventBridgeRule(events.Rule.fromEventRuleArn(stack, 'Rule', RULE_ARN));
  const annotations = Annotations.fromStack(stack);
  annotations.hasWarning('/TestStack/Q', Match.stringLikeRegexp('must allow events.amazonaws.com kms:GenerateDataKey\\* and kms:Decrypt'));
  annotations.hasWarning('/TestStack/Ops', Match.stringLikeRegexp('must allow cloudwatch.amazonaws.com to sns:Publish'));
  expectNagClean(stack);
});

test('SecureQueue: cdk-nag clean in the four packs (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS)', () => {
  const stack = testStack();
  new SecureQueue(stack, 'Q', { fifo: true });
  const report = expectNagClean(stack);
  expect(report.acknowledged.filter((a) => a.path.startsWith('TestStack/Q'))).toEqual([]);
});
