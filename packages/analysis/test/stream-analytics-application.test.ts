import { NagAcknowledgements } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FlinkCode, StreamAnalyticsApplication, StreamAnalyticsApplicationProps } from '../src';

function build(props: Partial<StreamAnalyticsApplicationProps> = {}, sandbox = false) {
  const stack = testStack({ sandbox });
  const code = new SecureBucket(stack, 'Code');
  const input = new kinesis.Stream(stack, 'Input', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: code.encryptionKey });
  const app = new StreamAnalyticsApplication(stack, 'Flink', {
    code: FlinkCode.fromBucket(code.bucket, 'apps/anomalies-1.0.jar'), inputStreams: [input], ...props,
  });
  return { stack, app, input, code, template: Template.fromStack(stack) };
}

describe('StreamAnalyticsApplication', () => {
  test('Flink 1.20 from S3, checkpoints, snapshots, custom parallelism with auto scaling, CMK-encrypted state', () => {
    const { stack, app, template } = build({ parallelism: 8, parallelismPerKpu: 2, propertyGroups: { app: { threshold: '3' } } });
    expect(app.initialKpus).toBe(4);
    const props = Object.values(template.findResources('AWS::KinesisAnalyticsV2::Application'))[0].Properties;
    expect(props.RuntimeEnvironment).toBe('FLINK-1_20');
    expect(props.ApplicationConfiguration).toMatchObject({
      ApplicationCodeConfiguration: { CodeContentType: 'ZIPFILE', CodeContent: { S3ContentLocation: { FileKey: 'apps/anomalies-1.0.jar' } } },
      ApplicationEncryptionConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KeyId: { 'Fn::GetAtt': [stack.getLogicalId(app.encryptionKey.node.defaultChild as any), 'Arn'] } },
      ApplicationSnapshotConfiguration: { SnapshotsEnabled: true },
      EnvironmentProperties: { PropertyGroups: [{ PropertyGroupId: 'app', PropertyMap: { threshold: '3' } }] },
      FlinkApplicationConfiguration: {
        CheckpointConfiguration: { ConfigurationType: 'CUSTOM', CheckpointingEnabled: true, CheckpointInterval: 60000 },
        ParallelismConfiguration: { ConfigurationType: 'CUSTOM', Parallelism: 8, ParallelismPerKPU: 2, AutoScalingEnabled: true },
      },
    });
    template.hasResourceProperties('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', {});
  });

  test('role: code object, log stream, state key and the input stream only', () => {
    const { stack, input, template } = build();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = Object.fromEntries(statements.filter((s: any) => s.Sid).map((s: any) => [s.Sid, s]));
    expect(bySid.ReadCode.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^CodeBucket/), 'Arn'] }, '/apps/anomalies-1.0.jar']] });
    expect(bySid.WriteLogs.Action).toEqual(['logs:DescribeLogStreams', 'logs:PutLogEvents']);
    const streamArn = { 'Fn::GetAtt': [stack.getLogicalId(input.node.defaultChild as any), 'Arn'] };
    expect(statements.some((s: any) => JSON.stringify(s.Resource) === JSON.stringify(streamArn) && [s.Action].flat().includes('kinesis:GetRecords'))).toBe(true);
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });

  test('alarms on downtime, failed checkpoints and source lag, by application dimension', () => {
    const { template } = build({ maxLag: Duration.minutes(2) });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['downtime', 'millisBehindLatest', 'numberOfFailedCheckpoints']);
    expect(alarms.find((a) => a.MetricName === 'millisBehindLatest').Threshold).toBe(120000);
    expect(alarms[0].Dimensions).toEqual([{ Name: 'Application', Value: { Ref: expect.stringMatching(/^FlinkApplication/) } }]);
  });

  test('code from an asset', () => {
    const stack = new Stack();
    const code = FlinkCode.fromAsset(stack, 'Jar', __filename);
    expect(code.bucket).toBeDefined();
    expect(code.key).toMatch(/\.ts$/);
  });

  test('validation: KPU limits, runtime, checkpoint interval', () => {
    const path = 'TestStack/Flink';
    expectPropError(() => build({ parallelism: 200, maxKpus: 64 }), { path, prop: 'parallelism', value: '200', allowed: 'at most parallelismPerKpu x maxKpus = 64 (200 KPUs needed, limit 64)' });
    expectPropError(() => build({ parallelismPerKpu: 9 }), { path, prop: 'parallelismPerKpu', value: '9', allowed: '1-8' });
    expectPropError(() => build({ runtime: 'SQL-1_0' }), { path, prop: 'runtime', value: '"SQL-1_0"', allowed: 'a Flink runtime' });
    expectPropError(() => build({ inputStreams: [] }), { path, prop: 'inputStreams', value: '[]', allowed: '1-100 entries' });
  });

  test('sandbox and cdk-nag', () => {
    const { template } = build({}, true);
    expect(Object.values(template.findResources('AWS::KinesisAnalyticsV2::Application'))[0].DeletionPolicy).toBe('Delete');
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Code');
    const input = new kinesis.Stream(stack, 'Input', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: bucket.encryptionKey });
    NagAcknowledgements.acknowledge(input, 'AwsSolutions-KDS3', 'Test fixture: the input stream uses the same customer-managed key as the code bucket on purpose.');
    new StreamAnalyticsApplication(stack, 'Flink', { code: FlinkCode.fromBucket(bucket.bucket as s3.IBucket, 'app.jar'), inputStreams: [input] });
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
