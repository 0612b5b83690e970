import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import { DeviceIngestionRule, DevicePartitionKey, StreamIngestion } from '../src';

function build(props: Partial<ConstructorParameters<typeof DeviceIngestionRule>[2]> = {}) {
  const stack = testStack();
  const ingestion = new StreamIngestion(stack, 'Ingest');
  const rule = new DeviceIngestionRule(stack, 'Devices', { stream: ingestion.stream, topicFilter: 'devices/+/telemetry', ...props });
  return { stack, ingestion, rule, template: Template.fromStack(stack) };
}

describe('DeviceIngestionRule', () => {
  test('IoT SQL over the topic filter, Kinesis action keyed by topic, errors to an encrypted log group', () => {
    const { stack, ingestion, rule, template } = build({ where: 'temperature > 50' });
    expect(rule.sql).toBe("SELECT * FROM 'devices/+/telemetry' WHERE temperature > 50");
    const streamId = stack.getLogicalId(ingestion.createdStream!.node.defaultChild as any);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: "SELECT * FROM 'devices/+/telemetry' WHERE temperature > 50",
        AwsIotSqlVersion: '2016-03-23',
        Actions: [{ Kinesis: { StreamName: { Ref: streamId }, PartitionKey: '${topic()}', RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(rule.role.node.defaultChild as any), 'Arn'] } } }],
        ErrorAction: { CloudwatchLogs: { LogGroupName: { Ref: stack.getLogicalId(rule.errorLogGroup.node.defaultChild as any) } } },
      },
    });
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(ingestion.encryptionKey.node.defaultChild as any), 'Arn'] };
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn });
  });

  test('role: PutRecord on the stream, GenerateDataKey on its key via Kinesis, logs on the error group only', () => {
    const { stack, ingestion, template } = build({ partitionKey: DevicePartitionKey.RANDOM });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => ['PutIntoStream', 'EncryptForStream', 'WriteErrors'].includes(s.Sid));
    const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
    expect(bySid.PutIntoStream).toMatchObject({ Action: 'kinesis:PutRecord', Resource: { 'Fn::GetAtt': [stack.getLogicalId(ingestion.createdStream!.node.defaultChild as any), 'Arn'] } });
    expect(bySid.EncryptForStream).toMatchObject({ Action: 'kms:GenerateDataKey', Condition: { StringEquals: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } } });
    expect(bySid.WriteErrors.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams']);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'iot.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] },
    });
    template.hasResourceProperties('AWS::IoT::TopicRule', { TopicRulePayload: { Actions: [{ Kinesis: { PartitionKey: '${newuuid()}' } }] } });
  });

  test('validation of topic filter, select and where', () => {
    const path = 'TestStack/Devices';
    expectPropError(() => build({ topicFilter: 'devices/#/telemetry' }), { path, prop: 'topicFilter', value: '"devices/#/telemetry"', allowed: '"#" only as the last level' });
    expectPropError(() => build({ topicFilter: "a'b" }), { path, prop: 'topicFilter', value: '"a\'b"', allowed: 'without quotes' });
    expectPropError(() => build({ topicFilter: 'dev+/x' }), { path, prop: 'topicFilter', value: '"dev+/x"', allowed: '"+" as a whole level' });
    expectPropError(() => build({ select: '*; DROP' }), { path, prop: 'select', value: '"*; DROP"', allowed: 'without ";" or quotes' });
    expectPropError(() => build({ where: ' ' }), { path, prop: 'where', value: '" "', allowed: 'a non-empty condition' });
  });

  test('cdk-nag clean', () => {
    const { stack } = build();
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
