import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataKey } from '../src';

describe('DataKey', () => {
  test('customer-managed, rotating, retained, with an alias and CloudWatch Logs scoped by encryption context', () => {
    const stack = testStack();
    new DataKey(stack, 'Key', { alias: 'lake/raw' });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/lake/raw' });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchLogsEncryption',
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:*' } },
        })]),
      },
    });
  });

  test('sandbox mode: DESTROY with the shortest waiting period', () => {
    const stack = testStack({ sandbox: true });
    new DataKey(stack, 'Key');
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { PendingWindowInDays: 7 },
      DeletionPolicy: 'Delete',
    });
  });

  test('rotation period within 90-2560 days', () => {
    const stack = testStack();
    new DataKey(stack, 'Ok', { rotationPeriod: Duration.days(90) });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: 90 });
    expectPropError(() => new DataKey(testStack(), 'Key', { rotationPeriod: Duration.days(30) }), {
      path: 'TestStack/Key', prop: 'rotationPeriod', value: '30 days', allowed: '90-2560 days',
    });
  });

  test('pending window and alias are validated', () => {
    expectPropError(() => new DataKey(testStack(), 'Key', { pendingWindow: Duration.days(3) }), {
      path: 'TestStack/Key', prop: 'pendingWindow', value: '3 days', allowed: '7-30 days',
    });
    expectPropError(() => new DataKey(testStack(), 'Key', { alias: 'alias/aws/s3' }), {
      path: 'TestStack/Key', prop: 'alias', value: '"alias/aws/s3"', allowed: 'not starting with "alias/aws/"',
    });
  });

  test('allowCloudWatchLogs adds the statement once, and not to imported keys', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Own');
    expect(DataKey.allowCloudWatchLogs(key)).toBe(true);
    expect(DataKey.allowCloudWatchLogs(key)).toBe(true);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(statements.filter((s: any) => s.Sid === 'AllowCloudWatchLogsEncryption')).toHaveLength(1);
    const imported = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(DataKey.allowCloudWatchLogs(imported)).toBe(false);
  });

  test('cdk-nag clean', () => {
    const stack = testStack();
    new DataKey(stack, 'Key');
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
