import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecureQueue, SecureQueueProps } from '../src';

describe('SecureQueue', () => {
  test('standard queue: CMK, long polling, 4-day retention, DLQ after 5 receives, TLS only, retained', () => {
    const stack = testStack();
    const q = new SecureQueue(stack, 'Orders');
    const t = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(q.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    const dlqId = stack.getLogicalId(q.deadLetterQueue.node.defaultChild as any);
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
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }], Threshold: 0,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 172800 });
  });

  test('FIFO: content-based deduplication by default, FIFO DLQ, high-throughput option', () => {
    const stack = testStack();
    new SecureQueue(stack, 'Payments', { fifo: true, highThroughputFifo: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true, ContentBasedDeduplication: true, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId',
    });
    t.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 2);
  });

  test('alarm topic and sandbox mode', () => {
    const stack = testStack({ sandbox: true });
    const topic = new sns.Topic(stack, 'Ops');
    new SecureQueue(stack, 'Q', { alarmTopic: topic });
    const t = Template.fromStack(stack);
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) expect(a.Properties.AlarmActions).toHaveLength(1);
    for (const q of Object.values(t.findResources('AWS::SQS::Queue'))) expect(q.DeletionPolicy).toBe('Delete');
  });

  test('validation against SQS limits', () => {
    const fails = (props: SecureQueueProps, prop: string, value: string, allowed: string) =>
      expectPropError(() => new SecureQueue(testStack(), 'Q', props), { path: 'TestStack/Q', prop, value, allowed });
    fails({ retentionPeriod: Duration.days(15) }, 'retentionPeriod', '1296000 seconds', '60-1209600 seconds');
    fails({ visibilityTimeout: Duration.hours(13) }, 'visibilityTimeout', '46800 seconds', '0-43200 seconds');
    fails({ maxMessageSizeBytes: 2_000_000 }, 'maxMessageSizeBytes', '2000000 bytes', '1024-1048576 bytes');
    fails({ maxReceiveCount: 0 }, 'maxReceiveCount', '0', '1-1000');
    fails({ receiveMessageWaitTime: Duration.seconds(30) }, 'receiveMessageWaitTime', '30 seconds', '0-20 seconds');
    fails({ contentBasedDeduplication: true }, 'contentBasedDeduplication', 'true', 'only with fifo: true');
    fails({ retentionPeriod: Duration.hours(1), oldestMessageAgeAlarm: Duration.hours(2) }, 'oldestMessageAgeAlarm', '7200 seconds', 'less than the retention period (3600 seconds)');
  });

  test('cdk-nag clean', () => {
    const stack = testStack();
    new SecureQueue(stack, 'Q');
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
