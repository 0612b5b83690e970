import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, OTHER_ACCOUNT, Principals, stringParameter, numberParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataKey } from '../src';

const ACCOUNT = '123456789012';
const LOGS = 'logs.eu-west-1.amazonaws.com';
const LOG_GROUP = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/analytics/ingest`;
const FOREIGN_LOG_GROUP = `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:/theirs`;
const OTHER_REGION_LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/analytics/ingest`;
const IMPORTED_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function keyPolicy(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
}

describe('DataKey', () => {
  const stack = testStack();
  const dataKey = new DataKey(stack, 'Key', { alias: 'lake/raw' });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  dataKey.key.grantEncryptDecrypt(reader);
  const t = Template.fromStack(stack);

  test('customer-managed, rotating, retained, with an alias and CloudWatch Logs scoped by encryption context', () => {
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

  test('key policy: the account delegation and the CloudWatch Logs statement, whole', () => {
    expect(keyPolicy(stack)).toEqual([
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'AllowCloudWatchLogsEncryption',
        Effect: 'Allow',
        Principal: { Service: LOGS },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } },
      },
    ]);
  });

  test('logical ids of the key and its alias are pinned (a new id would replace the key)', () => {
    expect(stack.getLogicalId(dataKey.key.node.defaultChild as kms.CfnKey)).toBe('Key9BCD29C7');
    expect(Object.keys(t.findResources('AWS::KMS::Alias'))).toEqual(['KeyAlias711EE8F4']);
  });

  test('run time: log groups of this account and region use the key; other accounts and regions, and requests without the context, are refused', async () => {
    const access = AccessModel.of(stack);
    const key = dataKey.key.keyArn;
    const own = { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP };
    await access.expectAllowed(
      { principal: LOGS, action: 'kms:GenerateDataKey', resource: key, context: own },
      { principal: LOGS, action: 'kms:Encrypt', resource: key, context: own },
      { principal: LOGS, action: 'kms:Decrypt', resource: key, context: own },
    );
    await access.expectDenied(
      { principal: LOGS, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': FOREIGN_LOG_GROUP } },
      { principal: LOGS, action: 'kms:Decrypt', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': OTHER_REGION_LOG_GROUP } },
      { principal: LOGS, action: 'kms:GenerateDataKey', resource: key },
      { principal: 'logs.us-east-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: own },
    );
  });

  test('run time: a role granted through IAM uses the key (account delegation); strangers, other accounts and unsigned callers are refused', async () => {
    const access = AccessModel.of(stack);
    const key = dataKey.key.keyArn;
    await access.expectAllowed(
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key },
      { principal: reader.roleArn, action: 'kms:GenerateDataKey', resource: key },
    );
    await access.expectDenied(
      { principal: reader.roleArn, action: 'kms:ScheduleKeyDeletion', resource: key },
      { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: key },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key },
      { principal: Principals.anonymous, action: 'kms:Decrypt', resource: key },
    );
  });

  test('cdk-nag clean in all four packs, with no acknowledgement', () => {
    const s = testStack();
    new DataKey(s, 'Key', { alias: 'lake/raw' });
    expect(expectNagClean(s).acknowledged).toEqual([]);
  });
});

describe('DataKey options', () => {
  test('sandbox mode: DESTROY with the shortest waiting period', () => {
    const stack = testStack({ sandbox: true });
    new DataKey(stack, 'Key');
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { PendingWindowInDays: 7 },
      DeletionPolicy: 'Delete',
    });
  });

  test('allowCloudWatchLogs false: no CloudWatch Logs statement, and the service is refused', async () => {
    const stack = testStack();
    const k = new DataKey(stack, 'Key', { allowCloudWatchLogs: false });
    expect(keyPolicy(stack).map((s) => s.Sid)).toEqual([undefined]);
    await AccessModel.of(stack).expectDenied(
      { principal: LOGS, action: 'kms:GenerateDataKey', resource: k.key.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP } },
    );
  });

  test('allowCloudWatchLogs adds the statement once, and not to imported keys', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Own');
    expect(DataKey.allowCloudWatchLogs(key)).toBe(true);
    expect(DataKey.allowCloudWatchLogs(key)).toBe(true);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(statements.filter((s: any) => s.Sid === 'AllowCloudWatchLogsEncryption')).toHaveLength(1);
    const imported = kms.Key.fromKeyArn(stack, 'Imported', IMPORTED_KEY_ARN);
    expect(DataKey.allowCloudWatchLogs(imported)).toBe(false);
  });

  test('an imported key: a warning names what its key policy must allow (once), and the stack stays nag clean', () => {
    const stack = testStack();
    const imported = kms.Key.fromKeyArn(stack, 'Imported', IMPORTED_KEY_ARN);
    DataKey.allowCloudWatchLogs(imported);
    DataKey.allowCloudWatchLogs(imported);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Imported', Match.anyValue());
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(new RegExp(
      'TestStack/Imported is imported, so its policy is managed elsewhere: its key policy must allow logs\\.eu-west-1\\.amazonaws\\.com '
      + 'kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:DescribeKey with the condition ArnLike '
      + 'kms:EncryptionContext:aws:logs:arn arn:aws:logs:eu-west-1:123456789012:log-group:\\*'));
    expectNagClean(stack);
  });

  test('tokens: rotation period, pending window, alias and description reach the template', () => {
    const stack = testStack();
    new DataKey(stack, 'Key', {
      rotationPeriod: Duration.days(numberParameter(stack, 'Rotation')),
      pendingWindow: Duration.days(numberParameter(stack, 'Pending')),
      alias: stringParameter(stack, 'Alias'),
      description: stringParameter(stack, 'Description'),
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Rotation', /RotationPeriodInDays/);
    expectParameterUsed(t, 'Pending', /PendingWindowInDays/);
    expectParameterUsed(t, 'Alias', /AliasName/);
    expectParameterUsed(t, 'Description', /Description/);
  });

  test('a token duration in another unit fails with the prop, not a unit-conversion error', () => {
    const stack = testStack();
    expectPropError(() => new DataKey(stack, 'Key', { rotationPeriod: Duration.hours(numberParameter(stack, 'Rotation')) }), {
      path: 'TestStack/Key', prop: 'rotationPeriod', allowed: 'a duration in days when it is a token (Duration.days(...))',
    });
  });
});

describe('DataKey validation (both sides of every limit)', () => {
  const fails = (props: any, prop: string, value: string, allowed: string) =>
    expectPropError(() => new DataKey(testStack(), 'Key', props), { path: 'TestStack/Key', prop, value, allowed });
  const ok = (props: any) => expect(() => new DataKey(testStack(), 'Key', props)).not.toThrow();

  test('rotation period within 90-2560 whole days', () => {
    const stack = testStack();
    new DataKey(stack, 'Ok', { rotationPeriod: Duration.days(90) });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: 90 });
    ok({ rotationPeriod: Duration.days(2560) });
    fails({ rotationPeriod: Duration.days(30) }, 'rotationPeriod', '30 days', '90-2560 days');
    fails({ rotationPeriod: Duration.days(89) }, 'rotationPeriod', '89 days', '90-2560 days');
    fails({ rotationPeriod: Duration.days(2561) }, 'rotationPeriod', '2561 days', '90-2560 days');
    fails({ rotationPeriod: Duration.hours(90 * 24 + 1) }, 'rotationPeriod', 'days', 'a whole number from 90 to 2560 days');
  });

  test('pending window within 7-30 whole days', () => {
    ok({ pendingWindow: Duration.days(7) });
    ok({ pendingWindow: Duration.days(30) });
    fails({ pendingWindow: Duration.days(3) }, 'pendingWindow', '3 days', '7-30 days');
    fails({ pendingWindow: Duration.days(6) }, 'pendingWindow', '6 days', '7-30 days');
    fails({ pendingWindow: Duration.days(31) }, 'pendingWindow', '31 days', '7-30 days');
  });

  test('alias: characters, reserved prefix, 256 characters with "alias/"', () => {
    fails({ alias: 'alias/aws/s3' }, 'alias', '"alias/aws/s3"', 'not starting with "alias/aws/"');
    fails({ alias: 'aws/s3' }, 'alias', '"alias/aws/s3"', 'not starting with "alias/aws/"');
    fails({ alias: 'lake raw' }, 'alias', '"alias/lake raw"', 'letters, digits');
    ok({ alias: 'a'.repeat(250) });
    fails({ alias: 'a'.repeat(251) }, 'alias', `"alias/${'a'.repeat(251)}"`, '7-256 characters');
  });

  test('description: at most 8,192 characters', () => {
    ok({ description: 'd'.repeat(8192) });
    fails({ description: 'd'.repeat(8193) }, 'description.length', '8193 characters', '0-8192 characters');
  });
});
