import { NagAcknowledgements } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, logicalId, OTHER_ACCOUNT, Principals, stringParameter,
  testStack,
} from '@analytics-patterns/testing';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DeviceIngestionRule, DeviceIngestionRuleProps, DevicePartitionKey } from '../src';

const ACCOUNT = '123456789012';

/** A stream encrypted with a customer-managed key, and the rule under test. */
function build(props: Partial<DeviceIngestionRuleProps> = {}) {
  const stack = testStack();
  const streamKey = new DataKey(stack, 'StreamKey').key;
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: streamKey });
  NagAcknowledgements.acknowledge(stream, 'AwsSolutions-KDS3', 'Test fixture: the stream of the rule under test uses a customer-managed key on purpose.');
  const rule = new DeviceIngestionRule(stack, 'Devices', { stream, topicFilter: 'devices/+/telemetry', ...props });
  return { stack, stream, streamKey, rule };
}

describe('DeviceIngestionRule: rule, role and error log of a CMK-encrypted stream', () => {
  const { stack, stream, streamKey, rule } = build({ where: 'temperature > 50', ruleName: 'telemetry_to_kinesis' });
  const template = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const ruleArn = `arn:aws:iot:eu-west-1:${ACCOUNT}:rule/telemetry_to_kinesis`;

  test('IoT SQL over the topic filter, Kinesis action keyed by topic, errors to a log group encrypted with the stream key', () => {
    expect(rule.sql).toBe("SELECT * FROM 'devices/+/telemetry' WHERE temperature > 50");
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      RuleName: 'telemetry_to_kinesis',
      TopicRulePayload: {
        Sql: "SELECT * FROM 'devices/+/telemetry' WHERE temperature > 50",
        AwsIotSqlVersion: '2016-03-23',
        Actions: [{ Kinesis: { StreamName: { Ref: logicalId(stack, stream) }, PartitionKey: '${topic()}', RoleArn: { 'Fn::GetAtt': [logicalId(stack, rule.role), 'Arn'] } } }],
        ErrorAction: { CloudwatchLogs: { LogGroupName: { Ref: logicalId(stack, rule.errorLogGroup) } } },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, streamKey), 'Arn'] } });
    expect(rule.encryptionKey).toBe(streamKey);
  });

  test('role: trusted by this rule of this account only (statement whole); PutRecord on the stream, GenerateDataKey via Kinesis, logs on the error group only', () => {
    const role = template.toJSON().Resources[logicalId(stack, rule.role)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'iot.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': ruleArn } },
    }]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => ['PutIntoStream', 'EncryptForStream', 'WriteErrors'].includes(s.Sid));
    const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
    expect(bySid.PutIntoStream).toEqual({ Sid: 'PutIntoStream', Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: { 'Fn::GetAtt': [logicalId(stack, stream), 'Arn'] } });
    expect(bySid.EncryptForStream).toEqual({
      Sid: 'EncryptForStream',
      Effect: 'Allow',
      Action: 'kms:GenerateDataKey',
      Resource: { 'Fn::GetAtt': [logicalId(stack, streamKey), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } },
    });
    expect(bySid.WriteErrors.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams']);
  });

  test('run time: the rules engine assumes the role for this rule only', async () => {
    const role = rule.role.roleArn;
    await access.expectAllowed(
      { principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ruleArn } },
    );
    await access.expectDenied(
      { principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:iot:eu-west-1:${OTHER_ACCOUNT}:rule/telemetry_to_kinesis` } },
      { principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:iot:eu-west-1:${ACCOUNT}:rule/another_rule` } },
      { principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ruleArn } },
    );
  });

  test('run time: the role puts records with the stream key through Kinesis and writes its error log; nothing else', async () => {
    const role = rule.role.roleArn;
    const errorStream = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${access.resolve(rule.errorLogGroup.logGroupName)}:log-stream:rule-errors`;
    await access.expectAllowed(
      { principal: role, action: 'kinesis:PutRecord', resource: stream.streamArn },
      { principal: role, action: 'kms:GenerateDataKey', resource: streamKey.keyArn, context: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } },
      { principal: role, action: 'logs:CreateLogStream', resource: errorStream },
      { principal: role, action: 'logs:PutLogEvents', resource: errorStream },
    );
    await access.expectDenied(
      { principal: role, action: 'kinesis:PutRecord', resource: `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/other` },
      { principal: role, action: 'kinesis:GetRecords', resource: stream.streamArn },
      { principal: role, action: 'kms:GenerateDataKey', resource: streamKey.keyArn },
      { principal: role, action: 'kms:Decrypt', resource: streamKey.keyArn, context: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } },
      { principal: role, action: 'logs:PutLogEvents', resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:other:log-stream:x` },
    );
  });

  test('run time: CloudWatch Logs encrypts the error log group with the key; strangers, other accounts and unsigned callers are refused', async () => {
    const groupArn = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${access.resolve(rule.errorLogGroup.logGroupName)}`;
    const logs = 'logs.eu-west-1.amazonaws.com';
    await access.expectAllowed(
      { principal: logs, action: 'kms:GenerateDataKey', resource: streamKey.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': groupArn } },
      { principal: logs, action: 'kms:Decrypt', resource: streamKey.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': groupArn } },
    );
    await access.expectDenied(
      { principal: logs, action: 'kms:GenerateDataKey', resource: streamKey.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:x` } },
      { principal: logs, action: 'kms:GenerateDataKey', resource: streamKey.keyArn },
      { principal: Principals.strangerInAccount(), action: 'logs:PutLogEvents', resource: `${groupArn}:log-stream:x` },
      { principal: Principals.strangerInAccount(), action: 'kinesis:PutRecord', resource: stream.streamArn },
      { ...Principals.otherAccountAdmin(), action: 'logs:PutLogEvents', resource: `${groupArn}:log-stream:x` },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: streamKey.keyArn },
      { principal: Principals.anonymous, action: 'logs:PutLogEvents', resource: `${groupArn}:log-stream:x` },
    );
  });

  test('logical id of the error log group is pinned', () => {
    expect(logicalId(stack, rule.errorLogGroup)).toBe('DevicesErrorsFB9E17AA');
  });
});

test('DeviceIngestionRule: random partition key; generated rule name; an unencrypted stream gets a new DataKey for the error log (logical id pinned)', () => {
  const stack = testStack();
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.UNENCRYPTED });
  const rule = new DeviceIngestionRule(stack, 'Devices', { stream, topicFilter: 'devices/#', partitionKey: DevicePartitionKey.RANDOM });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::IoT::TopicRule', { RuleName: rule.ruleName, TopicRulePayload: { Actions: [{ Kinesis: { PartitionKey: '${newuuid()}' } }] } });
  expect(rule.ruleName).toMatch(/^[A-Za-z0-9_]{1,128}$/);
  expect(logicalId(stack, rule.encryptionKey)).toBe('DevicesKey376C81EC');
  template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': ['DevicesKey376C81EC', 'Arn'] } });
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements.filter((s: any) => s.Sid === 'EncryptForStream')).toEqual([]);
});

test('DeviceIngestionRule: tokens for the topic filter, select, where and rule name reach the template', () => {
  const stack = testStack();
  const stream = new kinesis.Stream(stack, 'Stream');
  new DeviceIngestionRule(stack, 'Devices', {
    stream,
    topicFilter: stringParameter(stack, 'Filter'),
    select: stringParameter(stack, 'Select'),
    where: stringParameter(stack, 'Where'),
    ruleName: stringParameter(stack, 'RuleName'),
  });
  const t = Template.fromStack(stack);
  for (const name of ['Filter', 'Select', 'Where']) expectParameterUsed(t, name, /TopicRulePayload\.Sql/);
  expectParameterUsed(t, 'RuleName', /\.RuleName/);
  expectParameterUsed(t, 'RuleName', /AssumeRolePolicyDocument/);
});

test('DeviceIngestionRule: validation of topic filter (256 bytes, 7 slashes, wildcards), select, where and rule name, both sides', () => {
  const path = 'TestStack/Devices';
  const ok = (props: Partial<DeviceIngestionRuleProps>) => expect(() => build(props)).not.toThrow();
  ok({ topicFilter: 'a/b/c/d/e/f/g/h' });
  ok({ topicFilter: 'x'.repeat(256) });
  ok({ ruleName: 'r'.repeat(128) });
  expectPropError(() => build({ topicFilter: 'a/b/c/d/e/f/g/h/i' }), { path, prop: 'topicFilter', value: '"a/b/c/d/e/f/g/h/i"', allowed: '7 slashes' });
  expectPropError(() => build({ topicFilter: 'x'.repeat(257) }), { path, prop: 'topicFilter', allowed: 'at most 256 bytes' });
  expectPropError(() => build({ topicFilter: 'é'.repeat(129) }), { path, prop: 'topicFilter', allowed: 'at most 256 bytes' });
  expectPropError(() => build({ topicFilter: '' }), { path, prop: 'topicFilter', value: '""', allowed: 'an MQTT topic filter' });
  expectPropError(() => build({ topicFilter: 'devices/#/telemetry' }), { path, prop: 'topicFilter', value: '"devices/#/telemetry"', allowed: '"#" only as the last level' });
  expectPropError(() => build({ topicFilter: "a'b" }), { path, prop: 'topicFilter', value: '"a\'b"', allowed: 'without quotes' });
  expectPropError(() => build({ topicFilter: 'dev+/x' }), { path, prop: 'topicFilter', value: '"dev+/x"', allowed: '"+" as a whole level' });
  expectPropError(() => build({ select: '*; DROP' }), { path, prop: 'select', value: '"*; DROP"', allowed: 'without ";" or quotes' });
  expectPropError(() => build({ where: ' ' }), { path, prop: 'where', value: '" "', allowed: 'a non-empty condition' });
  expectPropError(() => build({ ruleName: 'r'.repeat(129) }), { path, prop: 'ruleName', allowed: '1-128 characters' });
  expectPropError(() => build({ ruleName: 'my-rule' }), { path, prop: 'ruleName', value: '"my-rule"', allowed: 'letters, digits and "_"' });
});

test('DeviceIngestionRule with an imported stream and key: cdk-nag clean in the four packs; a warning says what the key policy needs', () => {
  const stack = testStack();
  const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
  const stream = kinesis.Stream.fromStreamAttributes(stack, 'Stream', { streamArn: `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/devices`, encryptionKey: key });
  new DeviceIngestionRule(stack, 'Devices', { stream, topicFilter: 'devices/+/telemetry' });
  Annotations.fromStack(stack).hasWarning('/TestStack/Devices', Match.stringLikeRegexp('must allow logs.eu-west-1.amazonaws.com'));
  expectNagClean(stack);
});

test('DeviceIngestionRule: cdk-nag clean in the four packs; acknowledgements are the log-stream wildcard and the inline-policy switch', () => {
  const { stack } = build();
  const report = expectNagClean(stack);
  const mine = [...new Set(report.acknowledged.filter((a) => a.path.startsWith('TestStack/Devices')).map((a) => a.rule))].sort();
  expect(mine).toEqual([
    'AwsSolutions-IAM5[Resource::arn:aws:logs:eu-west-1:123456789012:log-group:<DevicesErrorsFB9E17AA>:log-stream:*]',
    'HIPAA.Security-IAMNoInlinePolicy',
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'PCI.DSS.321-IAMNoInlinePolicy',
  ]);
});
