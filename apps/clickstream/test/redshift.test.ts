import { AccessModel, acknowledgementsBy, expectNagClean, expectPropError, logicalId as id, TEST_ENV, testApp } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import { CLICK_COLUMNS, ClickstreamIngestionStack, ClickstreamIngestionStackProps, REDSHIFT_CONTEXT } from '../src';

/**
 * The optional second delivery of the clickstream app: Firehose loads the clicks into a
 * publicly accessible Redshift warehouse of the learner's (RedshiftDestination, notes 1.2).
 * Asserted as deployed: the delivery stream's Redshift configuration whole, the ingress rule,
 * the alarms, the run-time permissions of its role, and every context value's validation.
 */
const { account: ACCOUNT, region: REGION } = TEST_ENV;
const HOST = 'analytics.123456789012.eu-west-1.redshift-serverless.amazonaws.com';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:firehose-loader-AbCdEf`;
const SECRET_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
const SG = 'sg-0123456789abcdef0';
const CONTEXT = {
  [REDSHIFT_CONTEXT.hostname]: HOST,
  [REDSHIFT_CONTEXT.credentialsSecretArn]: SECRET_ARN,
  [REDSHIFT_CONTEXT.securityGroupId]: SG,
};

function build(context: Record<string, unknown> = CONTEXT, props: ClickstreamIngestionStackProps = {}) {
  const app = testApp({ context });
  const stack = new ClickstreamIngestionStack(app, 'ClickstreamIngestion', props);
  return { app, stack, template: Template.fromStack(stack) };
}

const deliveryStreams = (t: Template) => Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream')).map((r) => r.Properties);

describe('ClickstreamIngestion without a Redshift target (the default)', () => {
  const { stack, template } = build({});

  test('one delivery (to S3), no Redshift wiring, no ingress rule, no CIDR mapping', () => {
    expect(stack.redshiftLoad).toBeUndefined();
    expect(deliveryStreams(template).map((d) => Object.keys(d).filter((k) => k.endsWith('DestinationConfiguration')))).toEqual([['ExtendedS3DestinationConfiguration']]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(template.toJSON().Mappings).toBeUndefined();
    expect(template.toJSON().Outputs.RedshiftDeliveryStreamName).toBeUndefined();
  });
});

describe('ClickstreamIngestion with a Redshift target from context', () => {
  const { app, stack, template } = build();
  const load = stack.redshiftLoad!;
  const role = { 'Fn::GetAtt': [id(stack, load.deliveryRole), 'Arn'] };
  const redshiftDelivery = deliveryStreams(template).find((d) => d.RedshiftDestinationConfiguration)!;

  test('a second delivery reads the same stream and COPYs the click columns into the table, credentials from Secrets Manager', () => {
    expect(deliveryStreams(template)).toHaveLength(2);
    expect(redshiftDelivery.KinesisStreamSourceConfiguration).toEqual({
      KinesisStreamARN: { 'Fn::GetAtt': [id(stack, stack.ingestion.stream), 'Arn'] }, RoleARN: role,
    });
    const logging = { Enabled: true, LogGroupName: { Ref: id(stack, load.logGroup) }, LogStreamName: 'DestinationDelivery' };
    expect(redshiftDelivery.RedshiftDestinationConfiguration).toEqual({
      ClusterJDBCURL: `jdbc:redshift://${HOST}:5439/dev`,
      CopyCommand: {
        DataTableName: 'public.clickstream_events',
        DataTableColumns: 'event_id,event_type,page,user_id,event_time',
        CopyOptions: "JSON 'auto' TIMEFORMAT 'auto' GZIP",
      },
      RoleARN: role,
      S3Configuration: {
        BucketARN: { 'Fn::GetAtt': [id(stack, stack.ingestion.bucket), 'Arn'] },
        Prefix: 'redshift-staging/',
        ErrorOutputPrefix: 'errors/redshift-staging/!{firehose:error-output-type}/',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 16 },
        CompressionFormat: 'GZIP',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [id(stack, stack.ingestion.encryptionKey), 'Arn'] } } },
        CloudWatchLoggingOptions: logging,
        RoleARN: role,
      },
      SecretsManagerConfiguration: { Enabled: true, SecretARN: SECRET_ARN, RoleARN: role },
      RetryOptions: { DurationInSeconds: 3600 },
      S3BackupMode: 'Disabled',
      CloudWatchLoggingOptions: logging,
    });
    expect(CLICK_COLUMNS.join(',')).toBe(redshiftDelivery.RedshiftDestinationConfiguration.CopyCommand.DataTableColumns);
  });

  test('the warehouse\'s security group admits only this region\'s Firehose CIDR block, only on the Redshift port', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toEqual([{
      GroupId: SG,
      IpProtocol: 'tcp',
      FromPort: 5439,
      ToPort: 5439,
      CidrIp: { 'Fn::FindInMap': ['FirehoseRedshiftCidrs', { Ref: 'AWS::Region' }, 'cidr'] },
      Description: 'Amazon Data Firehose delivery to Redshift (the regional Firehose CIDR block)',
    }]);
    expect(template.toJSON().Mappings.FirehoseRedshiftCidrs['eu-west-1']).toEqual({ cidr: '52.19.239.192/27' });
  });

  test('eight alarms, each on a different metric, all notifying the app\'s topic: the stream\'s stay with the first delivery', () => {
    const topic = [{ Ref: id(stack, stack.alarmTopic.topic) }];
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(8);
    for (const a of alarms) expect([a.AlarmActions, a.OKActions]).toEqual([topic, topic]);
    const metrics = alarms.map((a) => `${a.MetricName} ${JSON.stringify(a.Dimensions)}`);
    expect(new Set(metrics).size).toBe(8);
    const own = { Ref: id(stack, load.deliveryStream) };
    const ownAlarms = alarms.filter((a) => a.Dimensions[0].Value.Ref === own.Ref);
    expect(ownAlarms.map((a) => [a.MetricName, a.Statistic, a.ComparisonOperator, a.Threshold]).sort()).toEqual([
      ['DeliveryToRedshift.Success', 'Minimum', 'LessThanThreshold', 1],
      ['DeliveryToS3.DataFreshness', 'Maximum', 'GreaterThanThreshold', 990],
      ['DeliveryToS3.Success', 'Minimum', 'LessThanThreshold', 1],
    ]);
    expect(load.iteratorAgeAlarm).toBeUndefined();
  });

  test('outputs name the Redshift delivery', () => {
    expect(template.toJSON().Outputs.RedshiftDeliveryStreamName.Value).toEqual({ Ref: id(stack, load.deliveryStream) });
  });

  test('cdk-nag: four packs clean; the ingress rule\'s acknowledgements are only for the rules that cannot read the CIDR mapping', () => {
    const report = expectNagClean(app);
    expect(acknowledgementsBy(report, 'StreamIngestion').filter((a) => a.includes('FirehoseToRedshift'))).toEqual([
      'AwsSolutions-EC23 ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
      'HIPAA.Security-EC2RestrictedCommonPorts ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
      'HIPAA.Security-EC2RestrictedSSH ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
      'NIST.800.53.R5-EC2RestrictedCommonPorts ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
      'NIST.800.53.R5-EC2RestrictedSSH ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
      'PCI.DSS.321-EC2RestrictedCommonPorts ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
      'PCI.DSS.321-EC2RestrictedSSH ClickstreamIngestion/ClickstreamToRedshift/FirehoseToRedshift',
    ]);
  });

  test('run time: its role reads the stream, the loader secret and writes only the staging prefixes; the S3 delivery\'s role reads no secret', async () => {
    const access = AccessModel.of(stack);
    const loader = load.deliveryRole.roleArn;
    const bucket = stack.ingestion.bucket;
    const key = stack.ingestion.encryptionKey.keyArn;
    const s3Key = { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': access.resolve(bucket.bucketArn) };
    await access.expectAllowed(
      { principal: loader, action: 'kinesis:GetRecords', resource: stack.ingestion.stream.streamArn },
      { principal: loader, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': `kinesis.${REGION}.amazonaws.com` } },
      { principal: loader, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
      { principal: loader, action: 's3:PutObject', resource: bucket.arnForObjects('redshift-staging/2026/11/30/10/part-0.gz') },
      { principal: loader, action: 's3:GetObject', resource: bucket.arnForObjects('redshift-staging/2026/11/30/10/part-0.gz') },
      { principal: loader, action: 's3:PutObject', resource: bucket.arnForObjects('errors/redshift-staging/redshift-failed/manifest') },
      { principal: loader, action: 'kms:GenerateDataKey', resource: key, context: s3Key },
    );
    await access.expectDenied(
      { principal: loader, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:admin-XyZ123` },
      { principal: loader, action: 's3:PutObject', resource: bucket.arnForObjects('clickstream/event_type=click/x.gz') },
      { principal: loader, action: 's3:DeleteObject', resource: bucket.arnForObjects('redshift-staging/x.gz') },
      { principal: loader, action: 'kinesis:PutRecords', resource: stack.ingestion.stream.streamArn },
      { principal: stack.ingestion.deliveryRole.roleArn, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
      { principal: stack.ingestion.deliveryRole.roleArn, action: 's3:PutObject', resource: bucket.arnForObjects('redshift-staging/x.gz') },
    );
  });
});

describe('ClickstreamIngestion with a Redshift target from props', () => {
  test('port, database, table and the secret\'s key reach the template; the role may decrypt the secret only through Secrets Manager', () => {
    const { stack, template } = build({}, {
      redshift: {
        hostname: HOST, port: 5440, database: 'analytics', tableName: 'web.clicks', credentialsSecretArn: SECRET_ARN, credentialsKeyArn: SECRET_KEY_ARN,
      },
    });
    const config = deliveryStreams(template).find((d) => d.RedshiftDestinationConfiguration)!.RedshiftDestinationConfiguration;
    expect([config.ClusterJDBCURL, config.CopyCommand.DataTableName]).toEqual([`jdbc:redshift://${HOST}:5440/analytics`, 'web.clicks']);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    // the key is the learner's (its key policy is not in this template): the identity half, whole
    const statements = stack.resolve(stack.redshiftLoad!.deliveryPolicy.document).Statement;
    expect(statements.filter((s: any) => [].concat(s.Resource).includes(SECRET_KEY_ARN as never))).toEqual([{
      Sid: 'DecryptRedshiftCredentials',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: SECRET_KEY_ARN,
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
    }]);
  });

  test('context and props give the same delivery', () => {
    const fromContext = deliveryStreams(build().template);
    const fromProps = deliveryStreams(build({}, { redshift: { hostname: HOST, credentialsSecretArn: SECRET_ARN, securityGroupId: SG } }).template);
    expect(fromProps).toEqual(fromContext);
  });
});

describe('ClickstreamIngestion Redshift target: bad values fail at synth with the app path, the key and what is allowed', () => {
  const path = 'ClickstreamIngestion';

  test('an endpoint without its secret, or a secret (or any other Redshift key) without an endpoint', () => {
    expectPropError(() => build({ [REDSHIFT_CONTEXT.hostname]: HOST }), {
      path, prop: `context ${REDSHIFT_CONTEXT.credentialsSecretArn}`, allowed: `required with ${REDSHIFT_CONTEXT.hostname}`,
    });
    expectPropError(() => build({ [REDSHIFT_CONTEXT.credentialsSecretArn]: SECRET_ARN, [REDSHIFT_CONTEXT.port]: '5439' }), {
      path, prop: `context ${REDSHIFT_CONTEXT.hostname}`, allowed: `set whenever ${REDSHIFT_CONTEXT.port}, ${REDSHIFT_CONTEXT.credentialsSecretArn} is`,
    });
  });

  test('port: 1150 and 65535 accepted, 1149, 65536 and non-numbers refused', () => {
    for (const port of ['1150', '65535']) expect(build({ ...CONTEXT, [REDSHIFT_CONTEXT.port]: port }).stack.redshiftLoad).toBeDefined();
    for (const port of ['1149', '65536']) {
      expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.port]: port }), { path, prop: `context ${REDSHIFT_CONTEXT.port}`, value: port, allowed: '1150-65535' });
    }
    expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.port]: '54x9' }), { path, prop: `context ${REDSHIFT_CONTEXT.port}`, value: '54x9', allowed: 'a port number' });
  });

  test('host name, secret ARN, key ARN and security group id are checked', () => {
    for (const host of [`${HOST}:5439`, 'Analytics.example.com', 'localhost', `jdbc:redshift://${HOST}`]) {
      expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.hostname]: host }), { path, prop: `context ${REDSHIFT_CONTEXT.hostname}`, value: host, allowed: 'a lower-case DNS host name' });
    }
    const partial = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:loader`;
    expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.credentialsSecretArn]: partial }), {
      path, prop: `context ${REDSHIFT_CONTEXT.credentialsSecretArn}`, value: partial, allowed: 'the complete ARN of a Secrets Manager secret',
    });
    expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.credentialsKeyArn]: 'alias/loader' }), {
      path, prop: `context ${REDSHIFT_CONTEXT.credentialsKeyArn}`, value: 'alias/loader', allowed: 'the ARN of a KMS key',
    });
    for (const sg of ['sg-123', 'sg-0123456789ABCDEF0', '0123456789abcdef0']) {
      expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.securityGroupId]: sg }), { path, prop: `context ${REDSHIFT_CONTEXT.securityGroupId}`, value: sg, allowed: 'a security group id' });
    }
    for (const sg of ['sg-01234567', 'sg-0123456789abcdef0']) expect(build({ ...CONTEXT, [REDSHIFT_CONTEXT.securityGroupId]: sg }).stack.redshiftLoad).toBeDefined();
  });

  test('given as the redshift prop, errors name the prop', () => {
    expectPropError(() => build({}, { redshift: { hostname: HOST, port: 80, credentialsSecretArn: SECRET_ARN } }), {
      path, prop: 'redshift.port', value: '80', allowed: '1150-65535',
    });
    expectPropError(() => build({}, { redshift: { hostname: `${HOST}:5439`, credentialsSecretArn: SECRET_ARN } }), {
      path, prop: 'redshift.hostname', value: `${HOST}:5439`, allowed: 'a lower-case DNS host name',
    });
  });

  test('database and table names are RedshiftDestination\'s own checks', () => {
    expectPropError(() => build({ ...CONTEXT, [REDSHIFT_CONTEXT.tableName]: 'clicks; drop table x' }), { path: `${path}/ClickstreamToRedshift`, prop: 'destination.tableName' });
  });
});
