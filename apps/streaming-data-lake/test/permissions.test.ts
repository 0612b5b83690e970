import { AccessModel, expectPropError, OTHER_ACCOUNT, Principals, TEST_ENV, testApp } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import { LAKE_ADMIN_TAG, StreamingDataLakeStack, StreamingDataLakeStackProps } from '../src';

/**
 * Run-time permissions of the app-level wiring, evaluated on the synthesized template
 * (identity, resource and key policies together): who may administer the lake, what the
 * analyst roles may do on the IAM side, and that Firehose and strangers reach the raw zone
 * only as intended.
 *
 * What this cannot prove: Lake Formation grants. The analysts' column and row limits (no
 * `email`, EU rows only) are enforced by Lake Formation when it vends credentials
 * (`lakeformation:GetDataAccess`); the IAM side only opens the door (query in this workgroup,
 * read the catalog, ask Lake Formation for data access) and keeps the raw objects closed. The
 * grants themselves are asserted as template resources in streaming-data-lake.test.ts; that they
 * filter as intended is seen in the lab (LAB.md).
 */
const { account: ACCOUNT, region: REGION } = TEST_ENV;

function synth(props: StreamingDataLakeStackProps = {}, context: Record<string, unknown> = {}) {
  const stack = new StreamingDataLakeStack(testApp({ context }), 'StreamingDataLake', props);
  return { stack, access: AccessModel.of(stack), template: Template.fromStack(stack) };
}

describe('DataLakeAdmin role (issue 9: it trusted the whole account)', () => {
  test('by default only principals tagged analytics-patterns:lake-admin=true may assume it (trust statement whole)', async () => {
    const { stack, access, template } = synth();
    const role = template.toJSON().Resources[stack.getLogicalId(stack.adminRole!.node.defaultChild as any)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
      Condition: { StringEquals: { [`aws:PrincipalTag/${LAKE_ADMIN_TAG}`]: 'true' } },
    }]);
    const admin = stack.adminRole!.roleArn;
    // a principal of the account that may assume any role, but is not tagged: refused (the old trust allowed it)
    await access.expectDenied(
      { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: admin },
      { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: admin, context: { [`aws:PrincipalTag/${LAKE_ADMIN_TAG}`]: 'false' } },
      { principal: Principals.strangerInAccount(), action: 'sts:AssumeRole', resource: admin, context: { [`aws:PrincipalTag/${LAKE_ADMIN_TAG}`]: 'true' } },
      { ...Principals.otherAccountAdmin(), action: 'sts:AssumeRole', resource: admin, context: { [`aws:PrincipalTag/${LAKE_ADMIN_TAG}`]: 'true' } },
      { principal: Principals.anonymous, action: 'sts:AssumeRole', resource: admin },
    );
    await access.expectAllowed({ ...Principals.roleAssumer('LakeSteward'), action: 'sts:AssumeRole', resource: admin, context: { [`aws:PrincipalTag/${LAKE_ADMIN_TAG}`]: 'true' } });
  });

  test('with named assumers (prop or lake-admin-assumer-arns context) exactly those principals may assume it', async () => {
    const named = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${REGION}/AWSReservedSSO_Admin_0123456789abcdef`;
    for (const { stack, access } of [
      synth({ adminAssumerArns: [named] }),
      synth({}, { 'lake-admin-assumer-arns': ` ${named} ` }),
    ]) {
      const admin = stack.adminRole!.roleArn;
      // aws:PrincipalArn is the role ARN (with its path) of the session that calls AssumeRole
      const developer = Principals.roleAssumer('Developer');
      await access.expectAllowed({ ...Principals.roleAssumer('ignored'), principal: named, action: 'sts:AssumeRole', resource: admin, context: { 'aws:PrincipalArn': named } });
      await access.expectDenied(
        { ...developer, action: 'sts:AssumeRole', resource: admin, context: { 'aws:PrincipalArn': developer.principal } },
        { ...developer, action: 'sts:AssumeRole', resource: admin, context: { 'aws:PrincipalArn': developer.principal, [`aws:PrincipalTag/${LAKE_ADMIN_TAG}`]: 'true' } },
        { ...Principals.otherAccountAdmin(), action: 'sts:AssumeRole', resource: admin, context: { 'aws:PrincipalArn': Principals.otherAccountAdmin().principal as string } },
      );
    }
  });

  test('named assumers must be IAM role or user ARNs; with named administrators no role is created', () => {
    expectPropError(() => synth({ adminAssumerArns: ['alice'] }), {
      path: 'StreamingDataLake/DataLakeAdmin', prop: 'assumerArns[0]', value: 'alice', allowed: 'an IAM role or user ARN',
    });
    const { stack, template } = synth({ adminArns: [`arn:aws:iam::${ACCOUNT}:role/LakeAdmin`] });
    expect(stack.adminRole).toBeUndefined();
    expect(Object.values<any>(template.findResources('AWS::IAM::Role')).filter((r) => r.Properties.Description?.startsWith('Lake Formation data lake administrator'))).toEqual([]);
  });
});

describe('analyst roles: the IAM side of querying through Lake Formation', () => {
  const { stack, access } = synth();
  const workgroup = `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/streaming-lake-analysts`;
  const table = `arn:aws:glue:${REGION}:${ACCOUNT}:table/streaming_lake/events`;
  const results = stack.workgroup.resultsBucket;
  const raw = stack.storage.raw.bucket;
  const key = stack.storage.encryptionKey.keyArn;

  test('each analyst queries in the workgroup, reads the table\'s metadata, asks Lake Formation for data access and keeps its results with the key', async () => {
    for (const role of [stack.dataScientistRole.roleArn, stack.euAnalystRole.roleArn]) {
      await access.expectAllowed(
        { principal: role, action: 'athena:StartQueryExecution', resource: workgroup },
        { principal: role, action: 'athena:GetQueryResults', resource: workgroup },
        { principal: role, action: 'glue:GetTable', resource: table },
        { principal: role, action: 'lakeformation:GetDataAccess', resource: '*' },
        { principal: role, action: 's3:PutObject', resource: results.arnForObjects(`${stack.workgroup.resultsPrefix}q-1.csv`) },
        { principal: role, action: 's3:GetObject', resource: results.arnForObjects(`${stack.workgroup.resultsPrefix}q-1.csv`) },
        { principal: role, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } },
      );
    }
  });

  test('…but no other workgroup, no other table, no raw objects without Lake Formation, no catalog writes, no plain HTTP', async () => {
    for (const role of [stack.dataScientistRole.roleArn, stack.euAnalystRole.roleArn]) {
      await access.expectDenied(
        { principal: role, action: 'athena:StartQueryExecution', resource: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/primary` },
        { principal: role, action: 'glue:GetTable', resource: `arn:aws:glue:${REGION}:${ACCOUNT}:table/streaming_lake/other` },
        { principal: role, action: 'glue:UpdateTable', resource: table },
        { principal: role, action: 's3:GetObject', resource: raw.arnForObjects('events/year=2026/month=11/day=29/part-0.parquet') },
        { principal: role, action: 'kms:Decrypt', resource: key },
        { principal: role, action: 's3:GetObject', resource: results.arnForObjects('other/q-1.csv') },
        { principal: role, action: 'sts:AssumeRole', resource: stack.adminRole!.roleArn },
      );
      await access.expectExplicitlyDenied({
        principal: role, action: 's3:GetObject', resource: results.arnForObjects(`${stack.workgroup.resultsPrefix}q-1.csv`), context: { 'aws:SecureTransport': 'false' },
      });
    }
  });

  test('Firehose writes the raw events prefix with the key through S3; strangers, other accounts and unsigned callers reach no data', async () => {
    const firehose = stack.ingestion.deliveryRole.roleArn;
    await access.expectAllowed(
      { principal: firehose, action: 's3:PutObject', resource: raw.arnForObjects('events/year=2026/month=11/day=29/part-0.parquet') },
      { principal: firehose, action: 'glue:GetTableVersions', resource: table },
    );
    await access.expectDenied({ principal: firehose, action: 's3:PutObject', resource: stack.storage.curated.bucket.arnForObjects('events/x.parquet') });
    for (const [action, resource] of [
      ['s3:GetObject', raw.arnForObjects('events/year=2026/month=11/day=29/part-0.parquet')],
      ['s3:GetObject', results.arnForObjects(`${stack.workgroup.resultsPrefix}q-1.csv`)],
      ['kms:Decrypt', key],
      ['athena:StartQueryExecution', workgroup],
      ['kinesis:PutRecord', stack.ingestion.stream.streamArn],
    ] as const) {
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action, resource },
        { ...Principals.otherAccountAdmin(), action, resource },
        { principal: Principals.anonymous, action, resource },
      );
    }
    await access.expectDenied({ principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/DataScientist`, action: 'sts:AssumeRole', resource: stack.dataScientistRole.roleArn });
  });
});

describe('alarms (issue 9: the stream, Firehose and Athena alarms notified no one)', () => {
  const { stack, access, template } = synth();
  const topicId = stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as any);
  const topic = stack.alarmTopic.topic.topicArn;
  const key = stack.storage.encryptionKey.keyArn;
  const fromAlarm = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:StreamingDataLake-IngestionIteratorAge` };
  const fromForeignAlarm = { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:Theirs` };

  test('one topic for the app; every alarm (stream, Firehose, Athena usage) notifies it on ALARM and OK; its ARN is an output', () => {
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      const { AlarmActions, OKActions } = alarm.Properties;
      expect({ AlarmActions, OKActions }).toEqual({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
    }
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toEqual([topicId]);
    expect(template.toJSON().Outputs.AlarmTopicArn).toEqual({ Value: { Ref: topicId }, Description: 'Every alarm of the app notifies this topic: subscribe to it' });
    // encrypted with the lake's key
    expect(template.toJSON().Resources[topicId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(stack.storage.encryptionKey.node.defaultChild as any), 'Arn'] });
  });

  test('e-mail subscribers from the alarmEmails prop or the alarm-emails context; none by default', () => {
    expect(template.findResources('AWS::SNS::Subscription')).toEqual({});
    for (const { stack: s, template: t } of [synth({ alarmEmails: ['ops@example.com'] }), synth({}, { 'alarm-emails': ' ops@example.com , oncall@example.com ' })]) {
      const subscriptions = Object.values<any>(t.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
      const ref = { Ref: s.getLogicalId(s.alarmTopic.topic.node.defaultChild as any) };
      expect(subscriptions).toEqual(expect.arrayContaining([{ Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: ref }]));
      expect(subscriptions.every((p) => p.Protocol === 'email' && p.TopicArn.Ref === ref.Ref)).toBe(true);
    }
    expect(Object.values<any>(synth({}, { 'alarm-emails': 'ops@example.com,oncall@example.com' }).template.findResources('AWS::SNS::Subscription'))
      .map((r) => r.Properties.Endpoint)).toEqual(['ops@example.com', 'oncall@example.com']);
  });

  test('run time: CloudWatch alarms of this account may publish and use the key; foreign alarms, strangers and plain HTTP may not', async () => {
    await access.expectAllowed(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: fromAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: fromAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:Decrypt', resource: key, context: fromAlarm },
    );
    await access.expectDenied(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: fromForeignAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: fromForeignAlarm },
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic },
      { principal: Principals.strangerInAccount(), action: 'sns:Publish', resource: topic },
      { principal: stack.dataScientistRole.roleArn, action: 'sns:Publish', resource: topic },
      { ...Principals.otherAccountAdmin(), action: 'sns:Publish', resource: topic },
      { principal: Principals.anonymous, action: 'sns:Publish', resource: topic },
    );
    await access.expectExplicitlyDenied({ principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: { ...fromAlarm, 'aws:SecureTransport': 'false' } });
  });
});
