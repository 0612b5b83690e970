import { ShardLimitingFactor } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import { acknowledgementsBy, expectNagClean, expectPropError, logicalId as id, testStack } from '@analytics-patterns/testing';
import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ColumnarFormat, StreamCapacity, StreamIngestion, StreamIngestionProps, TimeGranularity } from '../src';

function build(props: StreamIngestionProps = {}, sandbox = false) {
  const stack = testStack({ sandbox });
  const ingestion = new StreamIngestion(stack, 'Ingest', props);
  const template = Template.fromStack(stack);
  const ds = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties;
  return { stack, ingestion, template, ds, s3: ds.ExtendedS3DestinationConfiguration };
}

function policyStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('StreamIngestion defaults', () => {
  const { stack, ingestion, template, ds, s3 } = build();
  const keyArn = { 'Fn::GetAtt': [id(stack, ingestion.encryptionKey), 'Arn'] };
  const streamId = id(stack, ingestion.createdStream!);
  const bucketId = id(stack, ingestion.secureBucket!.bucket);
  const roleArn = { 'Fn::GetAtt': [id(stack, ingestion.deliveryRole), 'Arn'] };

  test('on-demand stream, 24 h retention, encrypted with the customer-managed key, retained', () => {
    expect(template.toJSON().Resources[streamId]).toMatchObject({
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn },
      },
      DeletionPolicy: 'Retain',
    });
    expect(template.toJSON().Resources[streamId].Properties.ShardCount).toBeUndefined();
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('Firehose reads the stream with its role', () => {
    expect(ds.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(ds.KinesisStreamSourceConfiguration).toEqual({ KinesisStreamARN: { 'Fn::GetAtt': [streamId, 'Arn'] }, RoleARN: roleArn });
    expect(ds.DeliveryStreamEncryptionConfigurationInput).toBeUndefined();
  });

  test('S3 destination: daily Hive-style time prefix, error prefix, GZIP, 300 s / 16 MiB, SSE-KMS with the CMK, logging', () => {
    expect(s3).toMatchObject({
      BucketARN: { 'Fn::GetAtt': [bucketId, 'Arn'] },
      RoleARN: roleArn,
      Prefix: 'data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      ErrorOutputPrefix: 'errors/data/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 16 },
      CompressionFormat: 'GZIP',
      EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: keyArn } },
      CloudWatchLoggingOptions: { Enabled: true, LogGroupName: { Ref: id(stack, ingestion.logGroup) }, LogStreamName: 'DestinationDelivery' },
      S3BackupMode: 'Disabled',
    });
    expect(s3.DynamicPartitioningConfiguration).toBeUndefined();
    expect(s3.ProcessingConfiguration).toBeUndefined();
    expect(ingestion.dynamicPartitioning).toBe(false);
    expect(ingestion.partitionKeys).toEqual(['year', 'month', 'day']);
  });

  test('the bucket is a SecureBucket encrypted with the same key', () => {
    expect(template.toJSON().Resources[bucketId].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault)
      .toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn });
  });

  test('the error log group is encrypted with the key and kept for a year', () => {
    template.hasResource('AWS::Logs::LogGroup', { Properties: { KmsKeyId: keyArn, RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Logs::LogStream', { LogStreamName: 'DestinationDelivery' });
  });

  test('role: trusted by Firehose for this account only', () => {
    expect(template.toJSON().Resources[id(stack, ingestion.deliveryRole)].Properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'firehose.amazonaws.com' },
          Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
        }],
      },
    });
  });

  test('role policy: exact actions scoped to the stream, bucket, key and log stream ARNs', () => {
    const statements = policyStatements(template);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['DecryptSourceStream', 'EncryptDestinationObjects', 'ReadSourceStream', 'WriteDestinationBucket', 'WriteErrorLogs']);
    expect(bySid.ReadSourceStream).toMatchObject({
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
      Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
    });
    expect(bySid.DecryptSourceStream).toMatchObject({
      Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } },
    });
    // only under its own data and error prefixes, not anywhere in a (possibly shared) bucket
    const under = (p: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${p}*`]] });
    expect(bySid.WriteDestinationBucket).toEqual({
      Sid: 'WriteDestinationBucket',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
      Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, under('data/'), under('errors/data/')],
    });
    expect(bySid.EncryptDestinationObjects).toEqual({
      Sid: 'EncryptDestinationObjects',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: keyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, under('data/'), under('errors/data/')] },
      },
    });
    expect(bySid.WriteErrorLogs).toMatchObject({
      Action: 'logs:PutLogEvents',
      Resource: { 'Fn::Join': ['', ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: id(stack, ingestion.logGroup) }, ':log-stream:', { Ref: expect.stringMatching(/^IngestDeliveryLogStream/) }]] },
    });
    for (const s of statements) {
      for (const action of [s.Action].flat()) expect(action).not.toContain('*');
    }
  });

  test('the delivery stream waits for its role policy', () => {
    const dsId = stack.getLogicalId(ingestion.deliveryStream);
    expect(template.toJSON().Resources[dsId].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^IngestDeliveryPolicy/)]));
  });

  test('stream alarms: iterator age, read and write throttling, with the StreamName dimension', () => {
    const dims = [{ Name: 'StreamName', Value: { Ref: streamId } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Dimensions: dims,
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 900000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    for (const metric of ['ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Kinesis', MetricName: metric, Dimensions: dims, Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  test('Firehose alarms: data freshness and delivery failures, with the DeliveryStreamName dimension', () => {
    const dims = [{ Name: 'DeliveryStreamName', Value: { Ref: stack.getLogicalId(ingestion.deliveryStream) } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Dimensions: dims,
      Statistic: 'Maximum',
      Threshold: 300 * 1.5 + 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.Success',
      Dimensions: dims,
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    // no alarm without an action: without alarmTopic, the construct's own encrypted AlarmTopic
    const topicRef = { Ref: id(stack, ingestion.alarmTopic) };
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
  });
});

describe('StreamIngestion compliance', () => {
  test('cdk-nag clean in the four packs; acknowledgements only where AWS makes the rule inapplicable, each with its reason', () => {
    const stack = testStack();
    new StreamIngestion(stack, 'Ingest', { partitioning: { fields: [{ name: 'device' }] } });
    const report = expectNagClean(stack);
    expect(acknowledgementsBy(report, 'StreamIngestion')).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<IngestBucket[0-9A-F]+\.Arn>\/data\/\*\] TestStack\/Ingest\/DeliveryPolicy\/Resource$/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<IngestBucket[0-9A-F]+\.Arn>\/errors\/data\/\*\] TestStack\/Ingest\/DeliveryPolicy\/Resource$/),
      'AwsSolutions-KDF1 TestStack/Ingest/DeliveryStream',
      'AwsSolutions-KDS3 TestStack/Ingest/Stream/Resource',
      'HIPAA.Security-IAMNoInlinePolicy TestStack/Ingest/DeliveryPolicy/Resource',
      'NIST.800.53.R5-IAMNoInlinePolicy TestStack/Ingest/DeliveryPolicy/Resource',
      'PCI.DSS.321-IAMNoInlinePolicy TestStack/Ingest/DeliveryPolicy/Resource',
    ]);
    // the construct's own alarm topic is clean too (no acknowledgement needed for it)
    expect(report.acknowledged.filter((a) => a.path.includes('/AlarmTopic/'))).toEqual([]);
    for (const a of report.acknowledged) expect(a.reason.length).toBeGreaterThan(60);
  });
});

describe('StreamIngestion partitioning', () => {
  test('dynamic partitioning by record fields: JQ extraction (no Lambda), Hive-style prefix, newline delimiter', () => {
    const { s3, ingestion, template } = build({
      prefix: 'events/',
      partitioning: { fields: [{ name: 'device' }, { name: 'region', query: '.geo.region' }], timeGranularity: TimeGranularity.HOUR },
    });
    expect(s3.Prefix).toBe('events/device=!{partitionKeyFromQuery:device}/region=!{partitionKeyFromQuery:region}/'
      + 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(s3.ErrorOutputPrefix).toBe('errors/events/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(s3.DynamicPartitioningConfiguration).toEqual({ Enabled: true, RetryOptions: { DurationInSeconds: 300 } });
    expect(s3.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [
        {
          Type: 'MetadataExtraction',
          Parameters: [
            { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{device: (.device), region: (.geo.region)}' },
            { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
          ],
        },
        { Type: 'AppendDelimiterToRecord' },
      ],
    });
    expect(s3.BufferingHints).toEqual({ IntervalInSeconds: 300, SizeInMBs: 64 });
    expect(ingestion.partitionKeys).toEqual(['device', 'region', 'year', 'month', 'day', 'hour']);
    expect(ingestion.dynamicPartitioning).toBe(true);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('time-only partitions at month granularity, at the bucket root, with a custom error prefix', () => {
    const { s3 } = build({ prefix: '', partitioning: { timeGranularity: TimeGranularity.MONTH }, errorOutputPrefix: 'failed/!{firehose:error-output-type}/' });
    expect(s3.Prefix).toBe('year=!{timestamp:yyyy}/month=!{timestamp:MM}/');
    expect(s3.ErrorOutputPrefix).toBe('failed/!{firehose:error-output-type}/');
  });

  test('buffering and retry settings are passed through', () => {
    const { s3 } = build({
      partitioning: { fields: [{ name: 'device' }] },
      bufferingInterval: Duration.seconds(60),
      bufferingSize: Size.mebibytes(128),
      dynamicPartitioningRetryDuration: Duration.seconds(7200),
    });
    expect(s3.BufferingHints).toEqual({ IntervalInSeconds: 60, SizeInMBs: 128 });
    expect(s3.DynamicPartitioningConfiguration.RetryOptions).toEqual({ DurationInSeconds: 7200 });
  });

  test('zero buffering is allowed without dynamic partitioning', () => {
    const { s3 } = build({ bufferingInterval: Duration.seconds(0), bufferingSize: Size.mebibytes(1) });
    expect(s3.BufferingHints).toEqual({ IntervalInSeconds: 0, SizeInMBs: 1 });
  });
});

describe('StreamIngestion capacity', () => {
  test('provisioned from a workload: shard count computed by the core formula', () => {
    const capacity = StreamCapacity.forWorkload({ incomingMibPerSecond: 4.5, incomingRecordsPerSecond: 3000, consumers: 2 });
    expect(capacity.estimate).toMatchObject({ shards: 5, limitingFactor: ShardLimitingFactor.WRITE_THROUGHPUT });
    const { template } = build({ capacity, retentionPeriod: Duration.days(7) });
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 5, StreamModeDetails: { StreamMode: 'PROVISIONED' }, RetentionPeriodHours: 168,
    });
  });

  test('provisioned with a fixed shard count and a name', () => {
    const { template, ingestion } = build({ capacity: StreamCapacity.provisioned(3), streamName: 'clicks' });
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 3, Name: 'clicks' });
    expect(ingestion.capacity.mode).toBe(kinesis.StreamMode.PROVISIONED);
  });
});

describe('StreamIngestion format conversion', () => {
  test('Parquet from a Glue table: OpenX JSON in, Parquet out, no outer compression, 64 MiB, Glue read scoped to the table', () => {
    const { s3, template } = build({ formatConversion: { format: ColumnarFormat.PARQUET, databaseName: 'raw', tableName: 'clicks' } });
    expect(s3.CompressionFormat).toBe('UNCOMPRESSED');
    expect(s3.BufferingHints.SizeInMBs).toBe(64);
    expect(s3.DataFormatConversionConfiguration).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
      SchemaConfiguration: {
        CatalogId: { Ref: 'AWS::AccountId' }, DatabaseName: 'raw', TableName: 'clicks', Region: { Ref: 'AWS::Region' }, VersionId: 'LATEST',
      },
    });
    expect(policyStatements(template).find((s) => s.Sid === 'ReadConversionSchema')).toEqual({
      Sid: 'ReadConversionSchema',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
      Resource: [
        'arn:aws:glue:eu-west-1:123456789012:catalog',
        'arn:aws:glue:eu-west-1:123456789012:database/raw',
        'arn:aws:glue:eu-west-1:123456789012:table/raw/clicks',
      ],
    });
  });

  test('ORC with dynamic partitioning: no newline delimiter processor, other catalog', () => {
    const { s3, template } = build({
      partitioning: { fields: [{ name: 'device' }] },
      formatConversion: { format: ColumnarFormat.ORC, databaseName: 'raw', tableName: 'clicks', catalogId: '210987654321' },
    });
    expect(s3.DataFormatConversionConfiguration.OutputFormatConfiguration).toEqual({ Serializer: { OrcSerDe: {} } });
    expect(s3.ProcessingConfiguration.Processors.map((p: any) => p.Type)).toEqual(['MetadataExtraction']);
    expect(policyStatements(template).find((s) => s.Sid === 'ReadConversionSchema').Resource[0]).toBe('arn:aws:glue:eu-west-1:210987654321:catalog');
  });
});

describe('StreamIngestion with existing resources', () => {
  test('existing stream (with its own key) and existing bucket: nothing new created, grants on their ARNs', () => {
    const withExisting = () => {
      const stack = testStack();
      const theirKey = kms.Key.fromKeyArn(stack, 'TheirKey', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
      const stream = kinesis.Stream.fromStreamAttributes(stack, 'Theirs', {
        streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders', encryptionKey: theirKey,
      });
      const lake = new SecureBucket(stack, 'Lake');
      return { stack, lake, ingestion: new StreamIngestion(stack, 'Ingest', { existingStream: stream, existingBucket: lake.bucket }) };
    };
    // nag on an app of its own: a synthesized app is not checked again (Template.fromStack first made this a no-op)
    expectNagClean(withExisting().stack);
    const { stack, lake, ingestion } = withExisting();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Kinesis::Stream', 0);
    t.resourceCountIs('AWS::S3::Bucket', 2); // the lake bucket and its log bucket only
    expect(ingestion.createdStream).toBeUndefined();
    expect(ingestion.secureBucket).toBeUndefined();
    const bySid = Object.fromEntries(policyStatements(t).map((s) => [s.Sid, s]));
    expect(bySid.ReadSourceStream.Resource).toBe('arn:aws:kinesis:eu-west-1:123456789012:stream/orders');
    expect(bySid.DecryptSourceStream.Resource).toBe('arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    // objects are encrypted with the existing bucket's own key
    const lakeKeyArn = { 'Fn::GetAtt': [id(stack, lake.encryptionKey), 'Arn'] };
    expect(bySid.EncryptDestinationObjects.Resource).toEqual(lakeKeyArn);
    const ds = Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties;
    expect(ds.ExtendedS3DestinationConfiguration.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN).toEqual(lakeKeyArn);
    // stream alarms use the existing stream's name
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GetRecords.IteratorAgeMilliseconds', Dimensions: [{ Name: 'StreamName', Value: 'orders' }] });
  });

  test('existing key: used everywhere, and CloudWatch Logs is allowed on it', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Mine', { enableKeyRotation: true });
    new StreamIngestion(stack, 'Ingest', { encryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsEncryption' })]) },
    });
  });

  test('alarm topic receives alarm and OK notifications of every alarm', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Ops');
    const ingestion = new StreamIngestion(stack, 'Ingest', { alarmTopic: topic });
    const t = Template.fromStack(stack);
    const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(ingestion.alarms.length);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
  });

  test('grants for producers and readers', () => {
    const stack = testStack();
    const ingestion = new StreamIngestion(stack, 'Ingest', { prefix: 'clicks' });
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    ingestion.grantWrite(producer);
    ingestion.grantReadDelivered(reader);
    const t = Template.fromStack(stack);
    const producerPolicy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('Producer'))!;
    const producerActions = producerPolicy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(producerActions).toEqual(expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']));
    const readerPolicy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('Reader'))!;
    expect(JSON.stringify(readerPolicy)).toContain('/clicks/*');
  });

  test('sandbox mode: stream, bucket, log group and key are destroyed with the stack', () => {
    const { template } = build({}, true);
    for (const type of ['AWS::Kinesis::Stream', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
      for (const r of Object.values(template.findResources(type))) expect(r.DeletionPolicy).toBe('Delete');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });
});

describe('StreamIngestion validation', () => {
  const path = 'TestStack/Ingest';
  const fails = (props: StreamIngestionProps, prop: string, value: string, allowed: string) =>
    expectPropError(() => new StreamIngestion(testStack(), 'Ingest', props), { path, prop, value, allowed });

  test('retention 24-8760 hours', () => {
    fails({ retentionPeriod: Duration.hours(12) }, 'retentionPeriod', '12 hours', '24-8760 hours');
    fails({ retentionPeriod: Duration.days(366) }, 'retentionPeriod', '8784 hours', '24-8760 hours');
  });

  test('provisioned shard count', () => {
    fails({ capacity: StreamCapacity.provisioned(0) }, 'capacity.shards', '0 shards', '1-100000 shards');
  });

  test('buffering interval 0-900 s, 60-900 s with dynamic partitioning', () => {
    fails({ bufferingInterval: Duration.seconds(1000) }, 'bufferingInterval', '1000 seconds', '0-900 seconds');
    fails({ bufferingInterval: Duration.seconds(30), partitioning: { fields: [{ name: 'device' }] } },
      'bufferingInterval', '"30 seconds"', '60-900 seconds. Dynamic partitioning has no zero buffering.');
  });

  test('buffering size 1-128 MiB, at least 64 MiB with dynamic partitioning or format conversion', () => {
    fails({ bufferingSize: Size.mebibytes(200) }, 'bufferingSize', '200 MiB', '1-128 MiB');
    fails({ bufferingSize: Size.mebibytes(16), partitioning: { fields: [{ name: 'device' }] } },
      'bufferingSize', '"16 MiB"', '64-128 MiB. Dynamic partitioning needs a buffer of at least 64 MiB.');
    fails({ bufferingSize: Size.mebibytes(32), formatConversion: { format: ColumnarFormat.PARQUET, databaseName: 'raw', tableName: 't' } },
      'bufferingSize', '"32 MiB"', '64-128 MiB. Format conversion needs a buffer of at least 64 MiB.');
  });

  test('partition fields: Glue-compatible, unique, not a time partition, sane JQ, at most 50', () => {
    fails({ partitioning: { fields: [{ name: 'Device' }] } }, 'partitioning.fields[0].name', '"Device"', 'lower-case letters, digits and "_"');
    fails({ partitioning: { fields: [{ name: 'a' }, { name: 'a' }] } }, 'partitioning.fields[].name', '["a","a"]', '"a" appears more than once');
    fails({ partitioning: { fields: [{ name: 'day' }] } }, 'partitioning.fields[0].name', '"day"', 'other than year, month, day and hour');
    fails({ partitioning: { fields: [{ name: 'x', query: '{x: .y}' }] } }, 'partitioning.fields[0].query', '"{x: .y}"', 'JQ 1.6 expression without braces');
    fails({ partitioning: { fields: Array.from({ length: 51 }, (_, i) => ({ name: `f${i}` })) } }, 'partitioning.fields', '[', '0-50 entries');
  });

  test('prefixes', () => {
    fails({ prefix: 'data/!{timestamp:yyyy}' }, 'prefix', '"data/!{timestamp:yyyy}"', 'without Firehose expressions');
    fails({ prefix: '/data' }, 'prefix', '"/data"', 'does not start with "/"');
    fails({ errorOutputPrefix: 'errors/!{timestamp:yyyy}/' }, 'errorOutputPrefix', '"errors/!{timestamp:yyyy}/"', 'contains !{firehose:error-output-type}');
    fails({ errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{partitionKeyFromQuery:device}/' }, 'errorOutputPrefix',
      '"errors/!{firehose:error-output-type}/!{partitionKeyFromQuery:device}/"', 'without partitionKeyFromQuery');
  });

  test('format conversion needs UNCOMPRESSED and valid Glue names', () => {
    const fc = { format: ColumnarFormat.PARQUET, databaseName: 'raw', tableName: 'clicks' };
    fails({ formatConversion: fc, compression: firehose.Compression.GZIP }, 'compression', '"GZIP"', 'UNCOMPRESSED with format conversion');
    const glueName = 'lower-case letters, digits and "_", 1-255 characters';
    fails({ formatConversion: { ...fc, tableName: 'Clicks-2' } }, 'formatConversion.tableName', '"Clicks-2"', glueName);
    fails({ formatConversion: { ...fc, databaseName: 'Raw' } }, 'formatConversion.databaseName', '"Raw"', glueName);
    fails({ formatConversion: { ...fc, tableName: 't'.repeat(256) } }, 'formatConversion.tableName', `"${'t'.repeat(256)}"`, glueName);
    fails({ formatConversion: { ...fc, databaseName: 'd'.repeat(256) } }, 'formatConversion.databaseName', `"${'d'.repeat(256)}"`, glueName);
    expect(() => new StreamIngestion(testStack(), 'Ingest', { formatConversion: { ...fc, databaseName: 'd'.repeat(255), tableName: 't'.repeat(255) } })).not.toThrow();
  });

  test('existing resources exclude the props that would configure new ones', () => {
    const stack = testStack();
    const stream = kinesis.Stream.fromStreamArn(stack, 'S', 'arn:aws:kinesis:eu-west-1:123456789012:stream/x');
    expectPropError(() => new StreamIngestion(stack, 'Ingest', { existingStream: stream, capacity: StreamCapacity.provisioned(2) }), {
      path, prop: 'capacity', value: 'given', allowed: 'not set together with existingStream',
    });
    const stack2 = testStack();
    const bucket = new SecureBucket(stack2, 'B').bucket;
    expectPropError(() => new StreamIngestion(stack2, 'Ingest', { existingBucket: bucket, bucketProps: {} }), {
      path, prop: 'bucketProps', value: 'given', allowed: 'not set together with existingBucket',
    });
  });

  test('alarm thresholds must be meaningful', () => {
    fails({ alarms: { iteratorAge: Duration.hours(24) } }, 'alarms.iteratorAge', '1 day', 'less than the stream retention period (24 hours)');
    fails({ bufferingInterval: Duration.seconds(600), alarms: { deliveryFreshness: Duration.seconds(300) } },
      'alarms.deliveryFreshness', '300 seconds', '660-86400 seconds');
  });

  test('stream name and retry duration', () => {
    fails({ streamName: 'bad name' }, 'streamName', '"bad name"', '1-128 characters');
    fails({ partitioning: { fields: [{ name: 'd' }] }, dynamicPartitioningRetryDuration: Duration.seconds(7201) },
      'dynamicPartitioningRetryDuration', '7201 seconds', '0-7200 seconds');
  });
});
