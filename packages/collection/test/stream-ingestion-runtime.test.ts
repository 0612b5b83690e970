import {
  AccessModel, acknowledgementsBy, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, numberParameter,
  OTHER_ACCOUNT, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as jq from 'jq-wasm';
import { ColumnarFormat, StreamCapacity, StreamIngestion, StreamIngestionProps } from '../src';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

describe('StreamIngestion: logical ids of stateful resources do not change', () => {
  test('stream, bucket, key, log group and log stream keep their ids', () => {
    const stack = testStack();
    new StreamIngestion(stack, 'Ingest');
    const ids = Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
      .filter(([, r]) => ['AWS::Kinesis::Stream', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::Logs::LogStream', 'AWS::KinesisFirehose::DeliveryStream'].includes(r.Type))
      .map(([logicalId]) => logicalId).sort();
    expect(ids).toEqual([
      'IngestBucket66B3F66B', 'IngestBucketAccessLogsBucket5024AF95', 'IngestDeliveryLogStreamC2F76425', 'IngestDeliveryLogs55527FA4',
      'IngestDeliveryStream4AC6A65B', 'IngestKey1F79F89F', 'IngestStream404D06C0',
    ].sort());
  });
});

describe('StreamIngestion: the JQ metadata query runs in jq (jq-wasm) as Firehose runs it', () => {
  // valid JQ in each field; `//`, `+`, `,` and `and` are syntax errors inside `{name: ...}` unless parenthesized
  const fields = [
    { name: 'region', query: '.geo.region // "unknown"' },
    { name: 'total', query: '.a + .b' },
    { name: 'vip', query: '.tier == "gold" and .spend > 100' },
    { name: 'first_tag', query: '[.tags[0], "none"] | map(select(. != null)) | first' },
    { name: 'device' },
  ];
  const stack = testStack();
  new StreamIngestion(stack, 'Ingest', { partitioning: { fields } });
  const ds = Object.values(Template.fromStack(stack).findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties;
  const query: string = ds.ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors[0].Parameters
    .find((p: any) => p.ParameterName === 'MetadataExtractionQuery').ParameterValue;

  test('each record yields one object with every partition key', async () => {
    const records = [
      { geo: { region: 'eu' }, a: 1, b: 2, tier: 'gold', spend: 150, tags: ['x'], device: 'd1' },
      { geo: {}, a: 10, b: -3, tier: 'silver', spend: 500, tags: [], device: 'd2' },
    ];
    expect(await jq.json(records[0], query)).toEqual({ region: 'eu', total: 3, vip: true, first_tag: 'x', device: 'd1' });
    expect(await jq.json(records[1], query)).toEqual({ region: 'unknown', total: 7, vip: false, first_tag: 'none', device: 'd2' });
  });

  test('the same queries without parentheses are jq syntax errors (what the construct generated before)', async () => {
    await expect(jq.json({}, '{region: .geo.region // "unknown"}')).rejects.toThrow(/syntax error/);
    await expect(jq.json({}, '{total: .a + .b}')).rejects.toThrow(/syntax error/);
    await expect(jq.json({}, '{vip: .tier == "gold" and .spend > 100}')).rejects.toThrow(/syntax error/);
  });
});

describe('StreamIngestion: run-time permissions', () => {
  const stack = testStack();
  const ingestion = new StreamIngestion(stack, 'Ingest', { prefix: 'clicks' });
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  ingestion.grantWrite(producer);
  ingestion.grantReadDelivered(reader);
  const access = AccessModel.of(stack);
  const role = ingestion.deliveryRole.roleArn;
  const key = ingestion.encryptionKey.keyArn;
  const stream = ingestion.stream.streamArn;
  const bucket = ingestion.bucket;
  const object = (k: string) => bucket.arnForObjects(k);
  const viaKinesis = { 'kms:ViaService': `kinesis.${REGION}.amazonaws.com` };
  const viaS3 = (k: string) => ({ 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn, ...(k ? {} : {}) });

  test('Firehose assumes the delivery role for this account only (sts:ExternalId)', async () => {
    await access.expectAllowed({ principal: 'firehose.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': ACCOUNT } });
    await access.expectDenied(
      { principal: 'firehose.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': OTHER_ACCOUNT } },
      { principal: 'firehose.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': ACCOUNT } },
    );
  });

  test('Firehose reads the stream and decrypts it through Kinesis', async () => {
    await access.expectAllowed(
      { principal: role, action: 'kinesis:GetShardIterator', resource: stream },
      { principal: role, action: 'kinesis:GetRecords', resource: stream },
      { principal: role, action: 'kinesis:DescribeStreamSummary', resource: stream },
      { principal: role, action: 'kms:Decrypt', resource: key, context: viaKinesis },
    );
    await access.expectDenied(
      { principal: role, action: 'kinesis:PutRecord', resource: stream },
      { principal: role, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` } },
    );
  });

  test('Firehose writes only under its data and error prefixes, with the S3 encryption context', async () => {
    await access.expectAllowed(
      { principal: role, action: 's3:PutObject', resource: object('clicks/year=2026/month=11/day=28/part-1.gz') },
      { principal: role, action: 's3:PutObject', resource: object('errors/clicks/processing-failed/year=2026/x') },
      { principal: role, action: 's3:AbortMultipartUpload', resource: object('clicks/year=2026/part-2.gz') },
      { principal: role, action: 's3:ListBucket', resource: bucket.bucketArn },
      // S3 Bucket Keys: the context is the bucket ARN; without them, the object ARN
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: viaS3('') },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: { ...viaS3(''), 'kms:EncryptionContext:aws:s3:arn': object('clicks/x.gz') } },
    );
    await access.expectDenied(
      // a shared zone bucket: other prefixes are not Firehose's
      { principal: role, action: 's3:PutObject', resource: object('curated/orders/x.parquet') },
      { principal: role, action: 's3:GetObject', resource: object('raw/other-team/x.json') },
      { principal: role, action: 's3:DeleteObject', resource: object('clicks/x.gz') },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: { ...viaS3(''), 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::another-bucket' } },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: { ...viaS3(''), 'kms:EncryptionContext:aws:s3:arn': object('curated/x') } },
    );
    await access.expectExplicitlyDenied(
      { principal: role, action: 's3:PutObject', resource: object('clicks/x.gz'), context: { 'aws:SecureTransport': 'false' } },
    );
  });

  test('Firehose writes its error log stream; CloudWatch Logs encrypts the log group with the key', async () => {
    const logStreamArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${access.resolve(ingestion.logGroup.logGroupName)}:log-stream:DestinationDelivery`;
    const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${access.resolve(ingestion.logGroup.logGroupName)}`;
    await access.expectAllowed(
      { principal: role, action: 'logs:PutLogEvents', resource: logStreamArn },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:Decrypt', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
    );
    await access.expectDenied(
      { principal: role, action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:other:log-stream:x` },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:log-group:x` } },
    );
  });

  test('producers granted grantWrite put records with the key through Kinesis; readers read the delivered prefix', async () => {
    await access.expectAllowed(
      { principal: producer.roleArn, action: 'kinesis:PutRecord', resource: stream },
      { principal: producer.roleArn, action: 'kinesis:PutRecords', resource: stream },
      { principal: producer.roleArn, action: 'kms:GenerateDataKey', resource: key, context: viaKinesis },
      { principal: reader.roleArn, action: 's3:GetObject', resource: object('clicks/year=2026/x.gz') },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key, context: viaS3('') },
    );
    await access.expectDenied(
      { principal: producer.roleArn, action: 'kinesis:GetRecords', resource: stream },
      { principal: reader.roleArn, action: 's3:GetObject', resource: object('errors/clicks/x') },
      { principal: reader.roleArn, action: 's3:PutObject', resource: object('clicks/x') },
    );
  });

  test('alarms reach the construct\'s topic: CloudWatch may publish and use the key, for this account\'s alarms', async () => {
    const topic = ingestion.alarmTopic.topicArn;
    const alarmArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:x`;
    const context = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn };
    await access.expectAllowed(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context },
    );
    await access.expectDenied(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:x` } },
    );
  });

  test('strangers, other accounts and anonymous callers are refused on the stream, bucket and key', async () => {
    for (const who of [{ principal: Principals.strangerInAccount() }, Principals.otherAccountAdmin(), { principal: Principals.anonymous }]) {
      await access.expectDenied(
        { ...who, action: 's3:GetObject', resource: object('clicks/x.gz') },
        { ...who, action: 's3:PutObject', resource: object('clicks/x.gz') },
        { ...who, action: 'kinesis:GetRecords', resource: stream },
        { ...who, action: 'kinesis:PutRecord', resource: stream },
        { ...who, action: 'kms:Decrypt', resource: key },
      );
    }
  });
});

describe('StreamIngestion: imported bucket, key and stream', () => {
  const build = () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'LakeKey', `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    const stream = kinesis.Stream.fromStreamAttributes(stack, 'Orders', { streamArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/orders`, encryptionKey: key });
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Zone', { bucketName: 'shared-raw-zone', encryptionKey: key });
    const ingestion = new StreamIngestion(stack, 'Ingest', { existingStream: stream, existingBucket: bucket, encryptionKey: key, prefix: 'orders' });
    return { stack, ingestion };
  };

  test('cdk-nag clean in the four packs: the prefix wildcards of an imported bucket are acknowledged by their exact finding', () => {
    const report = expectNagClean(build().stack);
    expect(acknowledgementsBy(report, 'StreamIngestion')).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::shared-raw-zone/errors/orders/*] TestStack/Ingest/DeliveryPolicy/Resource',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::shared-raw-zone/orders/*] TestStack/Ingest/DeliveryPolicy/Resource',
    ]));
  });

  test('the delivery role may write only under orders/ and errors/orders/ of the shared bucket', async () => {
    const { stack, ingestion } = build();
    const access = AccessModel.of(stack);
    const role = ingestion.deliveryRole.roleArn;
    await access.expectAllowed({ principal: role, action: 's3:PutObject', resource: 'arn:aws:s3:::shared-raw-zone/orders/year=2026/x.gz' });
    await access.expectDenied({ principal: role, action: 's3:PutObject', resource: 'arn:aws:s3:::shared-raw-zone/payments/x.gz' });
  });
});

describe('StreamIngestion: alarms notify, asserted whole', () => {
  test('five alarms, each with its metric, statistic, threshold, operator and both actions', () => {
    const stack = testStack();
    const ingestion = new StreamIngestion(stack, 'Ingest', { bufferingInterval: Duration.seconds(120), alarms: { iteratorAge: Duration.minutes(30) } });
    const t = Template.fromStack(stack);
    const topic = [{ Ref: id(stack, ingestion.alarmTopic) }];
    const streamDims = [{ Name: 'StreamName', Value: { Ref: id(stack, ingestion.createdStream!) } }];
    const firehoseDims = [{ Name: 'DeliveryStreamName', Value: { Ref: stack.getLogicalId(ingestion.deliveryStream) } }];
    const alarm = (a?: { node: { defaultChild?: unknown } }) => {
      const { AlarmDescription, ...rest } = t.toJSON().Resources[id(stack, a!)].Properties;
      expect(AlarmDescription).toEqual(expect.stringContaining('TestStack/Ingest'));
      return rest;
    };
    const common = { EvaluationPeriods: 1, Period: 300, TreatMissingData: 'notBreaching', AlarmActions: topic, OKActions: topic };
    expect(alarm(ingestion.iteratorAgeAlarm)).toEqual({
      ...common, Namespace: 'AWS/Kinesis', MetricName: 'GetRecords.IteratorAgeMilliseconds', Dimensions: streamDims, Statistic: 'Maximum', Threshold: 1_800_000, ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(ingestion.readThrottleAlarm)).toEqual({
      ...common, Namespace: 'AWS/Kinesis', MetricName: 'ReadProvisionedThroughputExceeded', Dimensions: streamDims, Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(ingestion.writeThrottleAlarm)).toEqual({
      ...common, Namespace: 'AWS/Kinesis', MetricName: 'WriteProvisionedThroughputExceeded', Dimensions: streamDims, Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(ingestion.deliveryFreshnessAlarm)).toEqual({
      ...common, Namespace: 'AWS/Firehose', MetricName: 'DeliveryToS3.DataFreshness', Dimensions: firehoseDims, Statistic: 'Maximum', Threshold: 120 * 1.5 + 900, ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(ingestion.deliveryFailureAlarm)).toEqual({
      ...common, Namespace: 'AWS/Firehose', MetricName: 'DeliveryToS3.Success', Dimensions: firehoseDims, Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold',
    });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [id(stack, ingestion.encryptionKey), 'Arn'] } });
  });

  test('a second delivery from the same stream can leave the stream\'s alarms to the first: no duplicate of a stream metric', () => {
    const stack = testStack();
    const first = new StreamIngestion(stack, 'ToS3', { prefix: 'raw' });
    const second = new StreamIngestion(stack, 'ToS3Again', {
      existingStream: first.stream,
      existingBucket: first.bucket,
      encryptionKey: first.encryptionKey,
      prefix: 'copy',
      alarmTopic: first.alarmTopic,
      alarms: { streamAlarms: false },
    });
    expect([second.iteratorAgeAlarm, second.readThrottleAlarm, second.writeThrottleAlarm]).toEqual([undefined, undefined, undefined]);
    expect(second.alarms).toEqual([second.deliveryFreshnessAlarm, second.deliveryFailureAlarm]);
    const metrics = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .map((a) => `${a.Properties.Namespace} ${a.Properties.MetricName} ${JSON.stringify(a.Properties.Dimensions)}`);
    expect(metrics).toHaveLength(7);
    expect(new Set(metrics).size).toBe(7);
  });

  test('alarms.iteratorAge with streamAlarms: false fails (no alarm to set it for); with streamAlarms: true it is kept', () => {
    const stack = testStack();
    expectPropError(() => new StreamIngestion(stack, 'Ingest', { alarms: { streamAlarms: false, iteratorAge: Duration.minutes(30) } }), {
      path: 'TestStack/Ingest', prop: 'alarms.iteratorAge', value: '30 minutes', allowed: 'unset with alarms.streamAlarms: false',
    });
    const kept = new StreamIngestion(testStack(), 'Ingest', { alarms: { streamAlarms: true, iteratorAge: Duration.minutes(30) } });
    expect(kept.iteratorAgeAlarm).toBeDefined();
  });
});

describe('StreamIngestion: props given as tokens', () => {
  test('every numeric, Duration, Size and string prop reaches the template as a parameter', () => {
    const stack = testStack();
    new StreamIngestion(stack, 'Ingest', {
      streamName: stringParameter(stack, 'StreamName'),
      retentionPeriod: Duration.hours(numberParameter(stack, 'RetentionHours')),
      capacity: StreamCapacity.provisioned(numberParameter(stack, 'Shards')),
      prefix: stringParameter(stack, 'Prefix'),
      errorOutputPrefix: stringParameter(stack, 'ErrorPrefix'),
      partitioning: { fields: [{ name: 'device', query: stringParameter(stack, 'DeviceQuery') }, { name: stringParameter(stack, 'FieldName') }] },
      bufferingInterval: Duration.seconds(numberParameter(stack, 'IntervalSeconds')),
      bufferingSize: Size.mebibytes(numberParameter(stack, 'SizeMib')),
      dynamicPartitioningRetryDuration: Duration.seconds(numberParameter(stack, 'RetrySeconds')),
      formatConversion: {
        format: ColumnarFormat.PARQUET,
        databaseName: stringParameter(stack, 'Database'),
        tableName: stringParameter(stack, 'Table'),
        catalogId: stringParameter(stack, 'CatalogId'),
      },
      alarms: { iteratorAge: Duration.millis(numberParameter(stack, 'IteratorAgeMs')), deliveryFreshness: Duration.seconds(numberParameter(stack, 'FreshnessSeconds')) },
    });
    const t = Template.fromStack(stack);
    const extendedS3 = /ExtendedS3DestinationConfiguration/;
    expectParameterUsed(t, 'StreamName', /Properties\.Name$/);
    expectParameterUsed(t, 'RetentionHours', /RetentionPeriodHours/);
    expectParameterUsed(t, 'Shards', /ShardCount/);
    expectParameterUsed(t, 'Prefix', /\.Prefix/);
    expectParameterUsed(t, 'Prefix', /PolicyDocument/);
    expectParameterUsed(t, 'ErrorPrefix', /ErrorOutputPrefix/);
    expectParameterUsed(t, 'DeviceQuery', /ProcessingConfiguration/);
    expectParameterUsed(t, 'FieldName', /ProcessingConfiguration/);
    expectParameterUsed(t, 'FieldName', /\.Prefix/);
    expectParameterUsed(t, 'IntervalSeconds', /IntervalInSeconds/);
    expectParameterUsed(t, 'SizeMib', /SizeInMBs/);
    expectParameterUsed(t, 'RetrySeconds', /RetryOptions/);
    expectParameterUsed(t, 'Database', /SchemaConfiguration\.DatabaseName/);
    expectParameterUsed(t, 'Table', /SchemaConfiguration\.TableName/);
    expectParameterUsed(t, 'CatalogId', /SchemaConfiguration\.CatalogId/);
    expectParameterUsed(t, 'IteratorAgeMs', /Threshold/);
    expectParameterUsed(t, 'FreshnessSeconds', /Threshold/);
    expect(extendedS3.test(JSON.stringify(t.toJSON()))).toBe(true);
  });

  test('the freshness default does not compute with a token interval (it assumes the longest, 900 s)', () => {
    const stack = testStack();
    const ingestion = new StreamIngestion(stack, 'Ingest', { bufferingInterval: Duration.seconds(numberParameter(stack, 'IntervalSeconds')) });
    const t = Template.fromStack(stack).toJSON();
    expect(t.Resources[id(stack, ingestion.deliveryFreshnessAlarm)].Properties.Threshold).toBe(900 * 1.5 + 900);
  });
});

describe('StreamIngestion: every limit on both sides', () => {
  const path = 'TestStack/Ingest';
  const make = (props: StreamIngestionProps) => new StreamIngestion(testStack(), 'Ingest', props);
  const fails = (props: StreamIngestionProps, prop: string, value: string, allowed: string) =>
    expectPropError(() => make(props), { path, prop, value, allowed });
  const fields = [{ name: 'device' }];
  const fc = { format: ColumnarFormat.PARQUET, databaseName: 'raw', tableName: 'clicks' };

  test('accepted at the boundaries', () => {
    for (const props of [
      { retentionPeriod: Duration.hours(24) },
      { retentionPeriod: Duration.hours(8760), alarms: { iteratorAge: Duration.hours(8759) } },
      { capacity: StreamCapacity.provisioned(1) },
      { capacity: StreamCapacity.provisioned(100_000) },
      { bufferingInterval: Duration.seconds(0), bufferingSize: Size.mebibytes(1) },
      { bufferingInterval: Duration.seconds(900), bufferingSize: Size.mebibytes(128) },
      {
        partitioning: { fields },
        bufferingInterval: Duration.seconds(60),
        bufferingSize: Size.mebibytes(64),
        dynamicPartitioningRetryDuration: Duration.seconds(0),
      },
      { partitioning: { fields }, dynamicPartitioningRetryDuration: Duration.seconds(7200) },
      { formatConversion: fc, bufferingSize: Size.mebibytes(64) },
      { streamName: 'a'.repeat(128) },
      { prefix: 'p'.repeat(1024 - 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/'.length - 1), errorOutputPrefix: 'errors/' },
      { alarms: { iteratorAge: Duration.millis(86_399_999) } },
      { bufferingInterval: Duration.seconds(600), alarms: { deliveryFreshness: Duration.seconds(660) } },
      { alarms: { deliveryFreshness: Duration.seconds(86_400) } },
    ] as StreamIngestionProps[]) {
      expect(() => make(props)).not.toThrow();
    }
  });

  test('50 partition keys pass the key count; the prefix they make is then what exceeds Firehose\'s 1,024 characters', () => {
    fails({ partitioning: { fields: Array.from({ length: 50 }, (_, i) => ({ name: `f${i}` })) } }, 'prefix', 'f49', 'at most 1024 characters after partitions are added (1700 here)');
  });

  test('refused beyond them, with the construct\'s own messages', () => {
    fails({ retentionPeriod: Duration.hours(23) }, 'retentionPeriod', '23 hours', '24-8760 hours');
    fails({ retentionPeriod: Duration.minutes(90) }, 'retentionPeriod', '1.5 hours', 'a whole number from 24 to 8760 hours');
    fails({ capacity: StreamCapacity.provisioned(100_001) }, 'capacity.shards', '100001 shards', '1-100000 shards');
    fails({ bufferingInterval: Duration.seconds(901) }, 'bufferingInterval', '901 seconds', '0-900 seconds');
    fails({ bufferingInterval: Duration.millis(1500) }, 'bufferingInterval', '1.5 seconds', 'a whole number from 0 to 900 seconds');
    fails({ bufferingSize: Size.mebibytes(0) }, 'bufferingSize', '0 MiB', '1-128 MiB');
    fails({ bufferingSize: Size.kibibytes(1536) }, 'bufferingSize', '1.5 MiB', 'a whole number from 1 to 128 MiB');
    fails({ partitioning: { fields }, bufferingSize: Size.mebibytes(129) }, 'bufferingSize', '129 MiB', '64-128 MiB');
    fails({ partitioning: { fields }, bufferingInterval: Duration.seconds(59) }, 'bufferingInterval', '59 seconds', '60-900 seconds');
    fails({ formatConversion: fc, bufferingSize: Size.mebibytes(63) }, 'bufferingSize', '63 MiB', '64-128 MiB');
    fails({ streamName: 'a'.repeat(129) }, 'streamName', 'aaa', '1-128 characters');
    fails({ prefix: 'p'.repeat(1024) }, 'prefix', 'ppp', 'at most 1024 characters after partitions are added');
    fails({ errorOutputPrefix: `e/!{firehose:error-output-type}/${'x'.repeat(1000)}` }, 'errorOutputPrefix', 'xxx', 'at most 1024 characters');
    fails({ formatConversion: { ...fc, catalogId: '1234' } }, 'formatConversion.catalogId', '1234', 'a 12-digit account id');
    fails({ partitioning: { fields: [{ name: 'device', query: '.a # comment' }] } }, 'partitioning.fields[0].query', '.a # comment', 'without braces or comments');
    fails({ alarms: { deliveryFreshness: Duration.seconds(86_401) } }, 'alarms.deliveryFreshness', '86401 seconds', '360-86400 seconds');
    fails({ alarms: { iteratorAge: Duration.hours(24) } }, 'alarms.iteratorAge', '1 day', 'less than the stream retention period (24 hours)');
  });
});
