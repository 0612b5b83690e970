import { CustomerManagedPolicies, ReadConsistency } from '@analytics-patterns/core';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, numberParameter, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
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

  test('cdk-nag clean in all four packs; without a backup plan the rule is acknowledged naming the prop', () => {
    const stack = testStack();
    new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk, workload: { reads: { itemSizeKb: 1, readsPerSecond: 5 }, writes: { itemSizeKb: 1, writesPerSecond: 5 } } });
    const report = expectNagClean(stack);
    expect(report.acknowledged.map((a) => `${a.rule} ${a.path}`).sort()).toEqual([
      'HIPAA.Security-DynamoDBInBackupPlan TestStack/Devices/Table/Resource',
      'NIST.800.53.R5-DynamoDBInBackupPlan TestStack/Devices/Table/Resource',
    ]);
    expect(report.acknowledged[0].reason).toContain('set the `backupPlan` prop');
  });

  test('the key and the table keep their logical ids', () => {
    const stack = testStack();
    const t = new WorkloadSizedTable(stack, 'Wst', { partitionKey: pk });
    expect(stack.getLogicalId(t.table.node.defaultChild as dynamodb.CfnTable)).toBe('WstTable05E37C04');
    expect(stack.getLogicalId(t.encryptionKey.node.defaultChild as kms.CfnKey)).toBe('WstKey1D1E5013');
  });
});

describe('WorkloadSizedTable grants at run time', () => {
  const stack = testStack();
  const devices = new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const both = new iam.Role(stack, 'Both', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  devices.grantReadData(reader);
  devices.grantWriteData(writer);
  devices.grantReadWriteData(both);
  const table = devices.table.tableArn;
  const key = devices.encryptionKey.keyArn;
  const viaDynamoDb = { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' };

  test('statements whole: table actions over TLS, key actions only through DynamoDB', () => {
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find((p) => p.Properties.Roles[0].Ref === stack.getLogicalId(reader.node.defaultChild as iam.CfnRole))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(devices.table.node.defaultChild as dynamodb.CfnTable), 'Arn'] },
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(devices.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  test('read: items and the key through DynamoDB; not writes, not the key directly, not over plain HTTP', async () => {
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: reader.roleArn, action: 'dynamodb:GetItem', resource: table },
      { principal: reader.roleArn, action: 'dynamodb:Query', resource: table },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key, context: viaDynamoDb },
    );
    await access.expectDenied(
      { principal: reader.roleArn, action: 'dynamodb:PutItem', resource: table },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      { principal: reader.roleArn, action: 'kms:GenerateDataKey', resource: key, context: viaDynamoDb },
      { principal: reader.roleArn, action: 'dynamodb:GetItem', resource: table, context: { 'aws:SecureTransport': 'false' } },
    );
  });

  test('write and read-write: items and the key through DynamoDB', async () => {
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: writer.roleArn, action: 'dynamodb:PutItem', resource: table },
      { principal: writer.roleArn, action: 'dynamodb:UpdateItem', resource: table },
      { principal: writer.roleArn, action: 'kms:GenerateDataKey', resource: key, context: viaDynamoDb },
      { principal: writer.roleArn, action: 'kms:Encrypt', resource: key, context: viaDynamoDb },
      { principal: both.roleArn, action: 'dynamodb:GetItem', resource: table },
      { principal: both.roleArn, action: 'dynamodb:DeleteItem', resource: table },
      { principal: both.roleArn, action: 'kms:Decrypt', resource: key, context: viaDynamoDb },
    );
    await access.expectDenied(
      { principal: writer.roleArn, action: 'dynamodb:GetItem', resource: table },
      { principal: writer.roleArn, action: 'dynamodb:DeleteTable', resource: table },
      { principal: writer.roleArn, action: 'kms:Encrypt', resource: key },
    );
  });

  test('strangers, other accounts and unsigned callers are refused', async () => {
    await AccessModel.of(stack).expectDenied(
      { principal: Principals.strangerInAccount(), action: 'dynamodb:GetItem', resource: table },
      { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: key, context: viaDynamoDb },
      { ...Principals.otherAccountAdmin(), action: 'dynamodb:GetItem', resource: table },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key, context: viaDynamoDb },
      { principal: Principals.anonymous, action: 'dynamodb:GetItem', resource: table },
    );
  });
});

describe('WorkloadSizedTable options', () => {
  test('backup plan: the table is selected in the plan; no backup acknowledgement; nag clean', () => {
    const stack = testStack();
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    const t = new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk, backupPlan: plan });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupPlanId: { 'Fn::GetAtt': [Match.anyValue(), 'BackupPlanId'] },
      BackupSelection: Match.objectLike({
        Resources: [{ 'Fn::GetAtt': [stack.getLogicalId(t.table.node.defaultChild as dynamodb.CfnTable), 'Arn'] }],
      }),
    });
    const report = expectNagClean(stack);
    expect(report.acknowledged.map((a) => a.rule)).not.toContain('NIST.800.53.R5-DynamoDBInBackupPlan');
  });

  test('imported key: the table uses it; grants still scope the key through DynamoDB; nag clean', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const t = new WorkloadSizedTable(stack, 'Devices', { partitionKey: pk, encryptionKey: key });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    CustomerManagedPolicies.apply(role);
    t.grantReadData(role);
    const tpl = Template.fromStack(stack);
    tpl.resourceCountIs('AWS::KMS::Key', 0);
    tpl.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key.keyArn } });
    expectNagClean(stack);
  });

  test('tokens: recovery period, target utilization, TTL attribute and table name reach the template', () => {
    const stack = testStack();
    new WorkloadSizedTable(stack, 'Devices', {
      partitionKey: pk,
      tableName: stringParameter(stack, 'Name'),
      timeToLiveAttribute: stringParameter(stack, 'Ttl'),
      pointInTimeRecoveryPeriod: Duration.days(numberParameter(stack, 'Pitr')),
      workload: { reads: { itemSizeKb: 1, readsPerSecond: 10 }, writes: { itemSizeKb: 1, writesPerSecond: 10 } },
      autoScaling: { targetUtilizationPercent: numberParameter(stack, 'Target') },
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Name', /TableName/);
    expectParameterUsed(t, 'Ttl', /TimeToLiveSpecification/);
    expectParameterUsed(t, 'Pitr', /RecoveryPeriodInDays/);
    expectParameterUsed(t, 'Target', /TargetValue/);
    const targets = Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration.TargetValue);
    expect(targets).toEqual([{ Ref: 'Target' }, { Ref: 'Target' }]);
  });

  test('a workload (or a multiplier) given as tokens is refused with the prop: capacity is computed at synth, never from a token', () => {
    const stack = testStack();
    expectPropError(() => new WorkloadSizedTable(stack, 'A', {
      partitionKey: pk, workload: { reads: { itemSizeKb: 1, readsPerSecond: numberParameter(stack, 'Reads') }, writes: { itemSizeKb: 1, writesPerSecond: 1 } },
    }), { path: 'TestStack/A', prop: 'workload.reads.readsPerSecond', value: '"a token"', allowed: 'a number known at synth' });
    expectPropError(() => new WorkloadSizedTable(stack, 'B', {
      partitionKey: pk,
      workload: { reads: { itemSizeKb: 1, readsPerSecond: 1 }, writes: { itemSizeKb: 1, writesPerSecond: 1 } },
      autoScaling: { maxMultiplier: numberParameter(stack, 'Multiplier') },
    }), { path: 'TestStack/B', prop: 'autoScaling.maxMultiplier', value: '"a token"', allowed: 'a number known at synth' });
  });

  test('capacity above the default per-table quota warns (the quota is adjustable)', () => {
    const stack = testStack();
    const writes = { itemSizeKb: 1, writesPerSecond: 100 };
    // 20,000 eventually consistent reads/s of 4 KB = 10,000 RCU, scaling to 40,000 (the quota, allowed); one more read/s goes above
    new WorkloadSizedTable(stack, 'Big', { partitionKey: pk, workload: { reads: { itemSizeKb: 4, readsPerSecond: 20002 }, writes } });
    Annotations.fromStack(stack).hasWarning('/TestStack/Big', Match.stringLikeRegexp('default quota of 40000 units per table: read 10001 \\(auto scaling up to 40004\\)\\. '));
    const small = testStack();
    new WorkloadSizedTable(small, 'Small', { partitionKey: pk, workload: { reads: { itemSizeKb: 4, readsPerSecond: 20000 }, writes } });
    expect(Annotations.fromStack(small).findWarning('/TestStack/Small', Match.anyValue())).toEqual([]);
  });
});

describe('WorkloadSizedTable limits (both sides)', () => {
  const workload = { reads: { itemSizeKb: 1, readsPerSecond: 1 }, writes: { itemSizeKb: 1, writesPerSecond: 1 } };
  const ok = (props: any) => expect(() => new WorkloadSizedTable(testStack(), 'T', { partitionKey: pk, ...props })).not.toThrow();
  const fails = (props: any, prop: string, value: string | undefined, allowed: string) =>
    expectPropError(() => new WorkloadSizedTable(testStack(), 'T', { partitionKey: pk, ...props }), { path: 'TestStack/T', prop, value, allowed });

  test('recovery period 1-35 whole days', () => {
    ok({ pointInTimeRecoveryPeriod: Duration.days(1) });
    ok({ pointInTimeRecoveryPeriod: Duration.days(35) });
    fails({ pointInTimeRecoveryPeriod: Duration.days(0) }, 'pointInTimeRecoveryPeriod', '0 days', '1-35 days');
    fails({ pointInTimeRecoveryPeriod: Duration.days(36) }, 'pointInTimeRecoveryPeriod', '36 days', '1-35 days');
    fails({ pointInTimeRecoveryPeriod: Duration.hours(36) }, 'pointInTimeRecoveryPeriod', '1.5 days', 'a whole number from 1 to 35 days');
  });

  test('target utilization 20-90 (decimals allowed), multiplier 1-100', () => {
    ok({ workload, autoScaling: { targetUtilizationPercent: 20, maxMultiplier: 1 } });
    ok({ workload, autoScaling: { targetUtilizationPercent: 90, maxMultiplier: 100 } });
    ok({ workload, autoScaling: { targetUtilizationPercent: 62.5 } });
    fails({ workload, autoScaling: { targetUtilizationPercent: 19 } }, 'autoScaling.targetUtilizationPercent', '19 percent', '20-90 percent');
    fails({ workload, autoScaling: { targetUtilizationPercent: 91 } }, 'autoScaling.targetUtilizationPercent', '91 percent', '20-90 percent');
    fails({ workload, autoScaling: { maxMultiplier: 0.5 } }, 'autoScaling.maxMultiplier', '0.5', '1-100');
    fails({ workload, autoScaling: { maxMultiplier: 101 } }, 'autoScaling.maxMultiplier', '101', '1-100');
  });

  test('workload: item size above 0 and at most 400 KB, rates not negative (named with the construct path)', () => {
    ok({ workload: { reads: { itemSizeKb: 400, readsPerSecond: 0 }, writes: { itemSizeKb: 0.1, writesPerSecond: 0 } } });
    fails({ workload: { reads: { itemSizeKb: 401, readsPerSecond: 1 }, writes: workload.writes } }, 'workload.reads.itemSizeKb', '401 KB', '0-400 KB');
    fails({ workload: { reads: workload.reads, writes: { itemSizeKb: 0, writesPerSecond: 1 } } }, 'workload.writes.itemSizeKb', '0', 'more than 0');
    fails({ workload: { reads: { itemSizeKb: 1, readsPerSecond: -1 }, writes: workload.writes } }, 'workload.reads.readsPerSecond', '-1 per second', '0-');
  });

  test('names: table name 3-255 characters, key and TTL attributes 1-255 characters', () => {
    ok({ tableName: 'abc', timeToLiveAttribute: 'x'.repeat(255) });
    ok({ tableName: 't'.repeat(255), timeToLiveAttribute: 'expires:at' });
    fails({ tableName: 'ab' }, 'tableName', '"ab"', '3-255 characters');
    fails({ tableName: 't'.repeat(256) }, 'tableName', undefined, '3-255 characters');
    fails({ tableName: 'has space' }, 'tableName', '"has space"', 'letters, digits');
    fails({ timeToLiveAttribute: 'x'.repeat(256) }, 'timeToLiveAttribute', undefined, '1-255 characters');
    ok({ partitionKey: { name: 'p'.repeat(255), type: dynamodb.AttributeType.STRING }, sortKey: { name: 's'.repeat(255), type: dynamodb.AttributeType.NUMBER } });
    fails({ partitionKey: { name: 'p'.repeat(256), type: dynamodb.AttributeType.STRING } }, 'partitionKey.name', undefined, '1-255 characters');
    fails({ sortKey: { name: '', type: dynamodb.AttributeType.STRING } }, 'sortKey.name', '""', '1-255 characters');
  });
});
