import { AccessModel, expectNagClean, expectPropError, Principals, testStack, OTHER_ACCOUNT } from '@analytics-patterns/testing';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic, ConstructAlarms } from '../src';

const ACCOUNT = '123456789012';
const ALARM_ARN = `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:Ingest-IteratorAge`;
const FOREIGN_ALARM_ARN = `arn:aws:cloudwatch:eu-west-1:${OTHER_ACCOUNT}:alarm:Theirs`;
const fromAlarm = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ALARM_ARN };
const fromForeignAlarm = { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': FOREIGN_ALARM_ARN };

function alarmTopic() {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const alarms = new AlarmTopic(stack, 'Alarms', { encryptionKey: key, emails: ['ops@example.com'] });
  return { stack, key, alarms };
}

describe('AlarmTopic', () => {
  test('topic policy: TLS-only deny, and CloudWatch alarms of this account and region may publish (statements whole)', () => {
    const { stack, alarms } = alarmTopic();
    const topicRef = { Ref: stack.getLogicalId(alarms.topic.node.defaultChild as sns.CfnTopic) };
    const policies = Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy');
    expect(Object.values(policies)).toHaveLength(1);
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: topicRef,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowCloudWatchAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicRef,
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:*` },
        },
      },
    ]);
  });

  test('key policy: CloudWatch may use the key for alarms of this account and region only (statement whole)', () => {
    const { stack } = alarmTopic();
    const keyPolicy = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual({
      Sid: 'AllowCloudWatchAlarmsToUseKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:*` },
      },
    });
  });

  test('run time: an alarm of this account publishes (topic and key); foreign alarms, strangers, other accounts, unsigned and plain HTTP are refused', async () => {
    const { alarms, key, stack } = alarmTopic();
    const access = AccessModel.of(stack);
    const topic = alarms.topic.topicArn;
    await access.expectAllowed(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: fromAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key.keyArn, context: fromAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:Decrypt', resource: key.keyArn, context: fromAlarm },
    );
    await access.expectDenied(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: fromForeignAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key.keyArn, context: fromForeignAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic },
      { principal: Principals.strangerInAccount(), action: 'sns:Publish', resource: topic },
      { ...Principals.otherAccountAdmin(), action: 'sns:Publish', resource: topic },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key.keyArn },
      { principal: Principals.anonymous, action: 'sns:Publish', resource: topic },
      { principal: 'events.amazonaws.com', action: 'sns:Publish', resource: topic, context: { 'aws:SourceAccount': ACCOUNT } },
    );
    await access.expectExplicitlyDenied(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: { ...fromAlarm, 'aws:SecureTransport': 'false' } },
    );
  });

  test('allowEventBridge: rules of this account publish and use the key; other accounts are refused', async () => {
    const { alarms, key, stack } = alarmTopic();
    AlarmTopic.allowEventBridge(alarms.topic);
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alarms.topic.topicArn, context: { 'aws:SourceAccount': ACCOUNT } },
      { principal: 'events.amazonaws.com', action: 'kms:GenerateDataKey', resource: key.keyArn },
    );
    await access.expectDenied(
      { principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alarms.topic.topicArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
    );
  });

  test('grantPublish: a role may publish and use the key through SNS only', async () => {
    const { alarms, key, stack } = alarmTopic();
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    AlarmTopic.grantPublish(alarms.topic, role);
    const access = AccessModel.of(stack);
    const viaSns = { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' };
    await access.expectAllowed(
      { principal: role.roleArn, action: 'sns:Publish', resource: alarms.topic.topicArn },
      { principal: role.roleArn, action: 'kms:GenerateDataKey', resource: key.keyArn, context: viaSns },
      { principal: role.roleArn, action: 'kms:Decrypt', resource: key.keyArn, context: viaSns },
    );
    await access.expectDenied(
      { principal: role.roleArn, action: 'kms:Decrypt', resource: key.keyArn, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      { principal: role.roleArn, action: 'kms:Decrypt', resource: key.keyArn },
    );
  });

  test('an imported key cannot be changed: a warning says what its policy must allow', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    new AlarmTopic(stack, 'Alarms', { encryptionKey: key });
    Annotations.fromStack(stack).hasWarning('/TestStack/Imported', Match.stringLikeRegexp('must allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey\\*'));
  });

  test('rejects malformed e-mail addresses', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    expectPropError(() => new AlarmTopic(stack, 'Alarms', { encryptionKey: key, emails: ['not-an-address'] }), {
      path: 'TestStack/Alarms', prop: 'emails[0]', value: '"not-an-address"', allowed: 'an e-mail address',
    });
  });

  test('e-mail subscriptions; cdk-nag clean in all four packs', () => {
    const { stack } = alarmTopic();
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    expectNagClean(stack);
  });
});

describe('ConstructAlarms', () => {
  const metric = new cloudwatch.Metric({ namespace: 'AWS/Kinesis', metricName: 'GetRecords.IteratorAgeMilliseconds', statistic: 'Maximum' });

  test('without a topic, alarms notify a topic the owner creates, which CloudWatch may use', async () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const alarms = new ConstructAlarms(stack, { encryptionKey: key });
    const alarm = alarms.add('IteratorAge', {
      metric, threshold: 60_000, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, description: 'Records wait too long.',
    });
    const t = Template.fromStack(stack);
    const topicRef = { Ref: stack.getLogicalId(alarms.topic.node.defaultChild as sns.CfnTopic) };
    expect(t.toJSON().Resources[stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm)].Properties).toEqual({
      AlarmDescription: 'Records wait too long.',
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 60000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    expect(alarms.alarms).toEqual([alarm]);
    await AccessModel.of(stack).expectAllowed({ principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: alarms.topic.topicArn, context: fromAlarm });
  });

  test('a topic of the app is given: no new topic, and CloudWatch is allowed on it and its key', async () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Mine', { masterKey: key });
    const alarms = new ConstructAlarms(stack, { topic, encryptionKey: key });
    alarms.add('A', { metric, threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, description: 'x' });
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic.topicArn, context: fromAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key.keyArn, context: fromAlarm },
    );
  });

  test('thresholds: a token is kept; a number computed from a token is refused', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    const alarms = new ConstructAlarms(stack, { encryptionKey: key });
    const p = new CfnParameter(stack, 'Threshold', { type: 'Number' });
    alarms.add('Token', { metric, threshold: p.valueAsNumber, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, description: 'x' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: { Ref: 'Threshold' } });
    expect(() => alarms.add('Garbage', {
      metric, threshold: p.valueAsNumber * 1.5, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, description: 'x',
    })).toThrow(/TestStack.*Garbage: threshold .* is not a usable number/);
  });

  test('an imported topic: a warning says its policy must allow CloudWatch', () => {
    const stack = new Stack();
    const topic = sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:eu-west-1:123456789012:theirs');
    new ConstructAlarms(stack, { topic, encryptionKey: new kms.Key(stack, 'K') })
      .add('A', { metric, threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, description: 'x' });
    Annotations.fromStack(stack).hasWarning('/Default/T', 'Default/T is imported, so its policy is managed elsewhere: its topic policy must allow '
      + 'cloudwatch.amazonaws.com to sns:Publish and, if the topic is encrypted, its key policy must allow cloudwatch.amazonaws.com '
      + 'kms:Decrypt and kms:GenerateDataKey*, or notifications are dropped. [ack: @analytics-patterns/core:CloudWatchAlarmsAllowed]');
  });
});
