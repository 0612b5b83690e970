import { NagAcknowledgements } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, numberParameter, OTHER_ACCOUNT, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FlinkCode, StreamAnalyticsApplication, StreamAnalyticsApplicationProps } from '../src';

const ACCOUNT = '123456789012';
const APP_ARN_PATTERN = `arn:aws:kinesisanalytics:eu-west-1:${ACCOUNT}:application/*`;

function build(props: Partial<StreamAnalyticsApplicationProps> = {}, sandbox = false) {
  const stack = testStack({ sandbox });
  const code = new SecureBucket(stack, 'Code');
  const input = new kinesis.Stream(stack, 'Input', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: code.encryptionKey });
  const app = new StreamAnalyticsApplication(stack, 'Flink', {
    code: FlinkCode.fromBucket(code.bucket, 'apps/anomalies-1.0.jar'), inputStreams: [input], ...props,
  });
  return { stack, app, input, code, template: Template.fromStack(stack) };
}

const importedStream = (stack: Stack, i: number) => kinesis.Stream.fromStreamArn(stack, `S${i}`, `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/s${i}`);

describe('StreamAnalyticsApplication', () => {
  const built = build({ parallelism: 8, parallelismPerKpu: 2, propertyGroups: { app: { threshold: '3' } }, maxLag: Duration.minutes(2) });
  const { stack, app, template, input, code } = built;
  const keyStatements = () => Object.values(template.findResources('AWS::KMS::Key'))
    .find((k: any) => JSON.stringify(k.Properties.KeyPolicy).includes('kinesisanalytics'))!.Properties.KeyPolicy.Statement;

  test('Flink 1.20 from S3, checkpoints, snapshots, custom parallelism with auto scaling, CMK-encrypted state', () => {
    expect(app.initialKpus).toBe(4);
    const props = Object.values(template.findResources('AWS::KinesisAnalyticsV2::Application'))[0].Properties;
    expect(props.RuntimeEnvironment).toBe('FLINK-1_20');
    expect(props.ApplicationConfiguration).toMatchObject({
      ApplicationCodeConfiguration: { CodeContentType: 'ZIPFILE', CodeContent: { S3ContentLocation: { FileKey: 'apps/anomalies-1.0.jar' } } },
      ApplicationEncryptionConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KeyId: { 'Fn::GetAtt': [stack.getLogicalId(app.encryptionKey.node.defaultChild as any), 'Arn'] } },
      ApplicationSnapshotConfiguration: { SnapshotsEnabled: true },
      EnvironmentProperties: { PropertyGroups: [{ PropertyGroupId: 'app', PropertyMap: { threshold: '3' } }] },
      FlinkApplicationConfiguration: {
        CheckpointConfiguration: { ConfigurationType: 'CUSTOM', CheckpointingEnabled: true, CheckpointInterval: 60000, MinPauseBetweenCheckpoints: 5000 },
        ParallelismConfiguration: { ConfigurationType: 'CUSTOM', Parallelism: 8, ParallelismPerKPU: 2, AutoScalingEnabled: true },
      },
    });
    template.hasResourceProperties('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', {
      ApplicationName: { Ref: stack.getLogicalId(app.application) },
    });
  });

  test('logical ids of the stateful resources are unchanged', () => {
    expect(stack.getLogicalId(app.application)).toBe('FlinkApplicationE90B4624');
    expect(stack.getLogicalId(app.encryptionKey.node.defaultChild as kms.CfnKey)).toBe('FlinkKey55C2654B');
    expect(stack.getLogicalId(app.logGroup.node.defaultChild as any)).toBe('FlinkLogs6792ABFC');
    expect(stack.getLogicalId(app.logStream.node.defaultChild as any)).toBe('FlinkLogStream4E996D18');
    expect(stack.getLogicalId(app.role.node.defaultChild as any)).toBe('FlinkRole25AEAA6A');
  });

  test('role: code object, log stream, state key and the input stream only', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = Object.fromEntries(statements.filter((s: any) => s.Sid).map((s: any) => [s.Sid, s]));
    expect(bySid.ReadCode.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^CodeBucket/), 'Arn'] }, '/apps/anomalies-1.0.jar']] });
    expect(bySid.WriteLogs.Action).toEqual(['logs:DescribeLogStreams', 'logs:PutLogEvents']);
    const streamArn = { 'Fn::GetAtt': [stack.getLogicalId(input.node.defaultChild as any), 'Arn'] };
    expect(statements.some((s: any) => JSON.stringify(s.Resource) === JSON.stringify(streamArn) && [s.Action].flat().includes('kinesis:GetRecords'))).toBe(true);
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    expect(bySid.UseStateKey.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'kinesisanalytics.eu-west-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:kinesisanalytics:arn': APP_ARN_PATTERN },
    });
  });

  test('key policy: the Flink service principals use the key for this account\'s applications only (statements whole)', () => {
    const flink = { Service: 'kinesisanalytics.amazonaws.com' };
    const infra = { Service: 'infrastructure.kinesisanalytics.amazonaws.com' };
    const context = { 'kms:EncryptionContext:aws:kinesisanalytics:arn': APP_ARN_PATTERN };
    const source = { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': APP_ARN_PATTERN } };
    const statements = keyStatements();
    expect(statements).toEqual(expect.arrayContaining([
      { Sid: 'AllowFlinkToDescribeKey', Effect: 'Allow', Principal: { Service: [flink.Service, infra.Service] }, Action: 'kms:DescribeKey', Resource: '*', Condition: source },
      { Sid: 'AllowFlinkDurableStateEncrypt', Effect: 'Allow', Principal: flink, Action: 'kms:GenerateDataKey', Resource: '*', Condition: { ...source, StringLike: context } },
      { Sid: 'AllowFlinkDurableStateDecrypt', Effect: 'Allow', Principal: flink, Action: 'kms:Decrypt', Resource: '*', Condition: { StringLike: context } },
      {
        Sid: 'AllowFlinkRunningState', Effect: 'Allow', Principal: infra, Action: ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'], Resource: '*', Condition: { StringLike: context },
      },
      {
        Sid: 'AllowFlinkRunningStateGrant',
        Effect: 'Allow',
        Principal: infra,
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          'StringLike': context, 'StringEquals': { 'kms:GrantConstraintType': 'EncryptionContextSubset' }, 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] },
        },
      },
    ]));
  });

  describe('run time', () => {
    const access = AccessModel.of(stack);
    const appArn = String(access.resolve(app.applicationArn));
    const key = app.encryptionKey.keyArn;
    const ctx = (arn: string) => ({ 'kms:EncryptionContext:aws:kinesisanalytics:arn': arn });
    const from = (account: string, arn: string) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': arn });
    const foreignApp = `arn:aws:kinesisanalytics:eu-west-1:${OTHER_ACCOUNT}:application/theirs`;

    test('the service uses the key for this application with the context it sends; foreign applications are refused', async () => {
      expect(appArn).toMatch(/^arn:aws:kinesisanalytics:eu-west-1:123456789012:application\//);
      await access.expectAllowed(
        { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:DescribeKey', resource: key, context: from(ACCOUNT, appArn) },
        { principal: 'infrastructure.kinesisanalytics.amazonaws.com', action: 'kms:DescribeKey', resource: key, context: from(ACCOUNT, appArn) },
        { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: { ...from(ACCOUNT, appArn), ...ctx(appArn) } },
        { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:Decrypt', resource: key, context: ctx(appArn) },
        { principal: 'infrastructure.kinesisanalytics.amazonaws.com', action: 'kms:Decrypt', resource: key, context: ctx(appArn) },
        { principal: 'infrastructure.kinesisanalytics.amazonaws.com', action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key, context: ctx(appArn) },
        {
          principal: 'infrastructure.kinesisanalytics.amazonaws.com',
          action: 'kms:CreateGrant',
          resource: key,
          context: { ...ctx(appArn), 'kms:GrantConstraintType': 'EncryptionContextSubset', 'kms:GrantOperations': ['Decrypt'] },
        },
      );
      await access.expectDenied(
        { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:Decrypt', resource: key, context: ctx(foreignApp) },
        { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:Decrypt', resource: key },
        { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: { ...from(OTHER_ACCOUNT, foreignApp), ...ctx(foreignApp) } },
        {
          principal: 'infrastructure.kinesisanalytics.amazonaws.com',
          action: 'kms:CreateGrant',
          resource: key,
          context: { ...ctx(appArn), 'kms:GrantConstraintType': 'EncryptionContextSubset', 'kms:GrantOperations': ['Decrypt', 'Encrypt'] },
        },
        { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: key, context: ctx(appArn) },
        { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key, context: ctx(appArn) },
      );
    });

    test('the role is assumed by the service for applications of this account only', async () => {
      await access.expectAllowed({ principal: 'kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: app.role.roleArn, context: from(ACCOUNT, appArn) });
      await access.expectDenied(
        { principal: 'kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: app.role.roleArn, context: from(OTHER_ACCOUNT, foreignApp) },
        { principal: 'kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: app.role.roleArn },
        { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: app.role.roleArn, context: from(ACCOUNT, appArn) },
      );
    });

    test('the role reads its code object (bucket key through S3), its source stream (key through Kinesis) and writes its log stream', async () => {
      const role = app.role.roleArn;
      const logStreamArn = `${String(access.resolve(app.logGroup.logGroupArn)).replace(/:\*$/, '')}:log-stream:${access.resolve(app.logStream.logStreamName)}`;
      await access.expectAllowed(
        { principal: role, action: 's3:GetObject', resource: code.bucket.arnForObjects('apps/anomalies-1.0.jar') },
        { principal: role, action: 'kms:Decrypt', resource: code.encryptionKey.keyArn, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        { principal: role, action: 'kinesis:GetRecords', resource: input.streamArn },
        { principal: role, action: 'kinesis:GetShardIterator', resource: input.streamArn },
        { principal: role, action: 'kms:Decrypt', resource: code.encryptionKey.keyArn, context: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } },
        { principal: role, action: 'logs:PutLogEvents', resource: logStreamArn },
        {
          principal: 'logs.eu-west-1.amazonaws.com',
          action: 'kms:GenerateDataKey',
          resource: key,
          context: { 'kms:EncryptionContext:aws:logs:arn': String(access.resolve(app.logGroup.logGroupArn)).replace(/:\*$/, '') },
        },
      );
      await access.expectDenied(
        { principal: role, action: 's3:GetObject', resource: code.bucket.arnForObjects('apps/other.jar') },
        { principal: role, action: 's3:PutObject', resource: code.bucket.arnForObjects('apps/anomalies-1.0.jar') },
        { principal: role, action: 'kinesis:PutRecord', resource: input.streamArn },
        { principal: role, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 'kinesisanalytics.eu-west-1.amazonaws.com', ...ctx(foreignApp) } },
      );
    });

    test('strangers, other accounts, unsigned and plain-HTTP requests are refused', async () => {
      const object = code.bucket.arnForObjects('apps/anomalies-1.0.jar');
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
        { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
        { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
        { principal: Principals.strangerInAccount(), action: 'kinesis:GetRecords', resource: input.streamArn },
      );
      await access.expectExplicitlyDenied({ principal: app.role.roleArn, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
    });

    test('every alarm reaches its topic and the topic key', async () => {
      const alarmArn = `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x`;
      const context = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn };
      await access.expectAllowed(
        { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: app.alarmTopic.topicArn, context },
        { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context },
      );
    });
  });

  test('alarms on downtime, failed checkpoints and source lag, by application dimension, each notifying the topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['downtime', 'millisBehindLatest', 'numberOfFailedCheckpoints']);
    expect(alarms.find((a) => a.MetricName === 'millisBehindLatest').Threshold).toBe(120000);
    expect(alarms[0].Dimensions).toEqual([{ Name: 'Application', Value: { Ref: expect.stringMatching(/^FlinkApplication/) } }]);
    const topic = { Ref: stack.getLogicalId(app.alarmTopic.node.defaultChild as any) };
    for (const a of alarms) {
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, Statistic: 'Maximum', Period: 300, AlarmActions: [topic], OKActions: [topic] });
    }
    expect(app.alarms.map((a) => a.node.id)).toEqual(['DowntimeAlarm', 'FailedCheckpointsAlarm', 'SourceLagAlarm']);
    expect(alarms.find((a) => a.MetricName === 'downtime').Threshold).toBe(0);
  });
});

describe('StreamAnalyticsApplication options', () => {
  test('code from an asset', () => {
    const stack = new Stack();
    const code = FlinkCode.fromAsset(stack, 'Jar', __filename);
    expect(code.bucket).toBeDefined();
    expect(code.key).toMatch(/\.ts$/);
  });

  test('a given application name narrows the key policy and trust policy to that application', () => {
    const { template } = build({ applicationName: 'anomalies' });
    const arn = `arn:aws:kinesisanalytics:eu-west-1:${ACCOUNT}:application/anomalies`;
    template.hasResourceProperties('AWS::KinesisAnalyticsV2::Application', { ApplicationName: 'anomalies' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'kinesisanalytics.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': arn } },
        }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowFlinkDurableStateDecrypt', Condition: { StringLike: { 'kms:EncryptionContext:aws:kinesisanalytics:arn': arn } } })]) },
    });
  });

  test('sandbox mode destroys the application', () => {
    const { template } = build({}, true);
    expect(Object.values(template.findResources('AWS::KinesisAnalyticsV2::Application'))[0].DeletionPolicy).toBe('Delete');
  });

  test('tokens: parallelism, KPUs, checkpoint interval, lag, runtime and name reach the template', () => {
    const stack = testStack();
    const code = new SecureBucket(stack, 'Code');
    const app = new StreamAnalyticsApplication(stack, 'Flink', {
      code: FlinkCode.fromBucket(code.bucket, 'app.jar'),
      inputStreams: [importedStream(stack, 1)],
      parallelism: numberParameter(stack, 'Parallelism'),
      parallelismPerKpu: numberParameter(stack, 'PerKpu'),
      maxKpus: numberParameter(stack, 'MaxKpus'),
      checkpointInterval: Duration.millis(numberParameter(stack, 'CheckpointMs')),
      maxLag: Duration.millis(numberParameter(stack, 'MaxLagMs')),
      runtime: stringParameter(stack, 'Runtime'),
      applicationName: stringParameter(stack, 'AppName'),
    });
    const t = Template.fromStack(stack);
    expect(app.initialKpus).toBeUndefined();
    expectParameterUsed(t, 'Parallelism', /ParallelismConfiguration\.Parallelism$/);
    expectParameterUsed(t, 'PerKpu', /ParallelismPerKPU$/);
    expectParameterUsed(t, 'CheckpointMs', /CheckpointInterval$/);
    expectParameterUsed(t, 'MaxLagMs', /Threshold$/);
    expectParameterUsed(t, 'Runtime', /RuntimeEnvironment$/);
    expectParameterUsed(t, 'AppName', /ApplicationName$/);
    const cfg = Object.values(t.findResources('AWS::KinesisAnalyticsV2::Application'))[0].Properties.ApplicationConfiguration.FlinkApplicationConfiguration;
    expect(cfg.CheckpointConfiguration.MinPauseBetweenCheckpoints).toBe(5000);
  });

  test('a token duration in another unit fails with the construct\'s message', () => {
    const stack = testStack();
    const code = new SecureBucket(stack, 'Code');
    expectPropError(() => new StreamAnalyticsApplication(stack, 'Flink', {
      code: FlinkCode.fromBucket(code.bucket, 'app.jar'), inputStreams: [importedStream(stack, 1)], checkpointInterval: Duration.seconds(numberParameter(stack, 'S')),
    }), { path: 'TestStack/Flink', prop: 'checkpointInterval', allowed: 'Duration.millis(...)' });
  });
});

describe('StreamAnalyticsApplication validation', () => {
  const path = 'TestStack/Flink';
  const make = (props: Partial<StreamAnalyticsApplicationProps>) => () => {
    const stack = testStack();
    return new StreamAnalyticsApplication(stack, 'Flink', {
      code: FlinkCode.fromBucket(s3.Bucket.fromBucketName(stack, 'Code', 'code-bucket'), 'app.jar'), inputStreams: [importedStream(stack, 0)], ...props,
    });
  };
  const groups = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`g${i}`, { k: 'v' }]));
  const properties = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  test('KPU limits on both sides', () => {
    expectPropError(make({ parallelism: 200, maxKpus: 64 }), { path, prop: 'parallelism', value: '200', allowed: 'at most parallelismPerKpu x maxKpus = 64 (200 KPUs needed, limit 64)' });
    expectPropError(make({ parallelism: 65 }), { path, prop: 'parallelism', value: '65', allowed: '(65 KPUs needed, limit 64)' });
    expect(make({ parallelism: 64 })().initialKpus).toBe(64);
    expect(make({ parallelism: 512, parallelismPerKpu: 8 })().initialKpus).toBe(64);
    expectPropError(make({ parallelismPerKpu: 9 }), { path, prop: 'parallelismPerKpu', value: '9', allowed: '1-8' });
    expectPropError(make({ parallelismPerKpu: 0 }), { path, prop: 'parallelismPerKpu', value: '0', allowed: '1-8' });
    expectPropError(make({ parallelism: 0 }), { path, prop: 'parallelism', value: '0' });
    expectPropError(make({ parallelism: 1.5 }), { path, prop: 'parallelism', value: '1.5', allowed: 'a whole number' });
    expectPropError(make({ maxKpus: 0 }), { path, prop: 'maxKpus', value: '0 KPUs' });
    expect(make({ maxKpus: 1 })().initialKpus).toBe(1);
  });

  test('runtime and application name', () => {
    expectPropError(make({ runtime: 'SQL-1_0' }), { path, prop: 'runtime', value: '"SQL-1_0"', allowed: 'a Flink runtime' });
    make({ runtime: 'FLINK-2_0' })();
    make({ applicationName: 'a'.repeat(128) })();
    expectPropError(make({ applicationName: 'a'.repeat(129) }), { path, prop: 'applicationName', allowed: '1-128 characters' });
    expectPropError(make({ applicationName: 'my app' }), { path, prop: 'applicationName', value: '"my app"' });
  });

  test('streams: 1-100', () => {
    expectPropError(make({ inputStreams: [] }), { path, prop: 'inputStreams', value: '[]', allowed: '1-100 entries' });
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Code', 'code-bucket');
    const streams = Array.from({ length: 101 }, (_, i) => importedStream(stack, i));
    new StreamAnalyticsApplication(stack, 'Ok', { code: FlinkCode.fromBucket(bucket, 'app.jar'), inputStreams: streams.slice(0, 100) });
    expectPropError(() => new StreamAnalyticsApplication(stack, 'Flink', { code: FlinkCode.fromBucket(bucket, 'app.jar'), inputStreams: streams.slice(0, 50), outputStreams: streams.slice(50) }),
      { path, prop: 'inputStreams + outputStreams', allowed: '1-100 entries' });
  });

  test('checkpoint interval: at least 1 ms, whole milliseconds', () => {
    make({ checkpointInterval: Duration.millis(1) })();
    expectPropError(make({ checkpointInterval: Duration.millis(0) }), { path, prop: 'checkpointInterval', value: '0 ms' });
    expectPropError(make({ checkpointInterval: Duration.millis(0.5) }), { path, prop: 'checkpointInterval', allowed: 'a whole number' });
    expectPropError(make({ maxLag: Duration.millis(0) }), { path, prop: 'maxLag', value: '0 ms' });
  });

  test('property groups: 50 groups of 50 properties, ids of 1-50 characters, keys and values of 1-2,048', () => {
    make({ propertyGroups: groups(50) })();
    expectPropError(make({ propertyGroups: groups(51) }), { path, prop: 'propertyGroups', allowed: '0-50 entries' });
    make({ propertyGroups: { g: properties(50) } })();
    expectPropError(make({ propertyGroups: { g: properties(51) } }), { path, prop: 'propertyGroups.g', value: '"51 properties"', allowed: 'at most 50 properties per group' });
    make({ propertyGroups: { ['g'.repeat(50)]: { k: 'v' } } })();
    expectPropError(make({ propertyGroups: { ['g'.repeat(51)]: { k: 'v' } } }), { path, prop: 'propertyGroups', allowed: '1-50 characters' });
    expectPropError(make({ propertyGroups: { 'bad id': { k: 'v' } } }), { path, prop: 'propertyGroups', value: '"bad id"' });
    make({ propertyGroups: { g: { k: 'v'.repeat(2048) } } })();
    expectPropError(make({ propertyGroups: { g: { k: 'v'.repeat(2049) } } }), { path, prop: 'propertyGroups.g.k', allowed: '1-2048 characters' });
    expectPropError(make({ propertyGroups: { g: { k: '' } } }), { path, prop: 'propertyGroups.g.k', allowed: '1-2048 characters' });
  });
});

describe('StreamAnalyticsApplication compliance', () => {
  test('cdk-nag clean in the four packs with its defaults', () => {
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Code');
    const input = new kinesis.Stream(stack, 'Input', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: bucket.encryptionKey });
    NagAcknowledgements.acknowledge(input, 'AwsSolutions-KDS3', 'Test fixture: the input stream uses the same customer-managed key as the code bucket on purpose.');
    new StreamAnalyticsApplication(stack, 'Flink', { code: FlinkCode.fromBucket(bucket.bucket as s3.IBucket, 'app.jar'), inputStreams: [input] });
    const report = expectNagClean(stack);
    expect(report.acknowledged.filter((a) => a.path.startsWith('TestStack/Flink')).map((a) => a.rule).sort())
      .toEqual(['HIPAA.Security-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy',
        'PCI.DSS.321-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']);
  });

  test('imported bucket, stream and key: nag clean, and a warning says what the key policy needs', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Code', { bucketName: 'corp-flink-code', encryptionKey: key });
    const stream = kinesis.Stream.fromStreamAttributes(stack, 'Input', { streamArn: `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/clicks`, encryptionKey: key });
    new StreamAnalyticsApplication(stack, 'Flink', { code: FlinkCode.fromBucket(bucket, 'app.jar'), inputStreams: [stream], encryptionKey: key });
    Annotations.fromStack(stack).hasWarning('/TestStack/Flink', Match.stringLikeRegexp('infrastructure.kinesisanalytics.amazonaws.com'));
    expectNagClean(stack);
  });
});
