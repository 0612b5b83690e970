import { acknowledgementLines, expectNagClean, normalizeTemplate, testApp } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ClickstreamIngestionStack } from '../src';

function build(context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  const stack = new ClickstreamIngestionStack(app, 'ClickstreamIngestion');
  return { app, stack, template: Template.fromStack(stack) };
}

describe('ClickstreamIngestion reference app', () => {
  const { stack, template } = build();
  const s3 = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties.ExtendedS3DestinationConfiguration;

  test('records are partitioned by event_type, then by arrival hour, under clickstream/', () => {
    expect(s3.Prefix).toBe('clickstream/event_type=!{partitionKeyFromQuery:event_type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(s3.ProcessingConfiguration.Processors[0].Parameters[0].ParameterValue).toBe('{event_type: (.event_type)}');
    expect(s3.BufferingHints).toEqual({ IntervalInSeconds: 60, SizeInMBs: 64 });
  });

  test('one customer-managed key (aliased) encrypts stream, bucket, logs and alarm topic', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/analytics-patterns/clickstream' });
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.ingestion.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn }, RetentionPeriodHours: 48 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    expect(s3.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN).toEqual(keyArn);
  });

  test('every alarm notifies the encrypted alarm topic', () => {
    const topicRef = { Ref: stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as sns.CfnTopic) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(5);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([topicRef]);
  });

  test('outputs tell the learner where to send and find data', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(['BucketName', 'DataPrefix', 'DeliveryStreamName', 'StreamName']);
  });

  test('alarm e-mails come from props or the alarm-emails context', () => {
    build({ 'alarm-emails': 'a@example.com, b@example.com' }).template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 2);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('sandbox budget alerts go to the alarm e-mails unless analytics-patterns:budget-email is set', () => {
    const addresses = (context: Record<string, unknown>) => {
      const t = build({ 'analytics-patterns:sandbox': 'true', 'analytics-patterns:budget-usd': '10', ...context }).template;
      return Object.values(t.findResources('AWS::Budgets::Budget'))[0].Properties.NotificationsWithSubscribers[0].Subscribers.map((s: any) => s.Address);
    };
    expect(addresses({ 'alarm-emails': 'ops@example.com' })).toEqual(['ops@example.com']);
    expect(addresses({ 'alarm-emails': 'ops@example.com', 'analytics-patterns:budget-email': 'lab@example.com' })).toEqual(['lab@example.com']);
  });

  test('snapshot (normalized)', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('cdk-nag: four packs clean (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS); every acknowledgement listed, so a new one shows up in review', () => {
    const report = expectNagClean(build().app);
    expect(new Set(report.acknowledged.map((a) => a.pack))).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']));
    expect(acknowledgementLines(report, 'ClickstreamIngestion/')).toMatchSnapshot();
  });
});
