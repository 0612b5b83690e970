import { ReadConsistency } from '@analytics-patterns/core';
import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WorkloadSizedTable } from '../src';

const pk = { name: 'device_id', type: dynamodb.AttributeType.STRING };

describe('WorkloadSizedTable', () => {
  test('on-demand by default: CMK, PITR 35 days, deletion protection, retained', () => {
    const stack = testStack();
    const t = new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk, timeToLiveAttribute: 'expires_at' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(t.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    expect(t.readCapacity).toBeUndefined();
  });

  test("provisioned from the notes' workload: 16 eventual reads/s of 12 KB = 24 RCU, 6 writes/s of 4.5 KB = 30 WCU, auto scaling above", () => {
    const stack = testStack();
    const t = new WorkloadSizedTable(stack, 'Devices', {
      partitionKey: pk,
      workload: {
        reads: { itemSizeKb: 12, readsPerSecond: 16, consistency: ReadConsistency.EVENTUAL },
        writes: { itemSizeKb: 4.5, writesPerSecond: 6 },
      },
      autoScaling: { maxMultiplier: 2, targetUtilizationPercent: 60 },
    });
    expect([t.readCapacity, t.writeCapacity]).toEqual([24, 30]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ProvisionedThroughput: { ReadCapacityUnits: 24, WriteCapacityUnits: 30 },
    });
    // CloudFormation's default billing mode is PROVISIONED: aws-cdk-lib leaves the property out
    expect(Object.values(template.findResources('AWS::DynamoDB::Table'))[0].Properties.BillingMode).toBeUndefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ScalableDimension: 'dynamodb:table:ReadCapacityUnits', MinCapacity: 24, MaxCapacity: 48 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ScalableDimension: 'dynamodb:table:WriteCapacityUnits', MinCapacity: 30, MaxCapacity: 60 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'DynamoDBReadCapacityUtilization' } },
    });
  });

  test('sandbox mode: destroyable', () => {
    const stack = testStack({ sandbox: true });
    new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', { Properties: { DeletionProtectionEnabled: false }, DeletionPolicy: 'Delete' });
  });

  test('validation', () => {
    expectPropError(() => new WorkloadSizedTable(testStack(), 'T', { partitionKey: pk, pointInTimeRecoveryPeriod: Duration.days(40) }), {
      path: 'TestStack/T', prop: 'pointInTimeRecoveryPeriod', value: '40 days', allowed: '1-35 days',
    });
    expectPropError(() => new WorkloadSizedTable(testStack(), 'T', { partitionKey: pk, autoScaling: {} }), {
      path: 'TestStack/T', prop: 'autoScaling', value: 'given', allowed: 'only together with workload',
    });
    const workload = { reads: { itemSizeKb: 1, readsPerSecond: 1 }, writes: { itemSizeKb: 1, writesPerSecond: 1 } };
    expectPropError(() => new WorkloadSizedTable(testStack(), 'T', { partitionKey: pk, workload, autoScaling: { targetUtilizationPercent: 95 } }), {
      path: 'TestStack/T', prop: 'autoScaling.targetUtilizationPercent', value: '95 percent', allowed: '20-90 percent',
    });
  });

  test('cdk-nag clean', () => {
    const stack = testStack();
    new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk, workload: { reads: { itemSizeKb: 1, readsPerSecond: 5 }, writes: { itemSizeKb: 1, writesPerSecond: 5 } } });
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
