import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acknowledgementLines, expectNagClean, expectPropError, normalizeTemplate, testStack } from '@analytics-patterns/testing';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { build, fakeConnectorJar, idOf } from './fixtures';
import { CONNECTOR, DEVICE_STATE_CODE_DIR, JOB_PROPERTY_GROUP, JOB_SETTINGS, packageFlinkJob, RUN_OPTIONS_GROUP } from '../src';

describe('RealTimeAnalytics reference app', () => {
  const { app, stack, template } = build();
  const id = (c: any) => idOf(stack, c);
  const keyArn = { 'Fn::GetAtt': [id(stack.encryptionKey), 'Arn'] };
  const telemetryArn = { 'Fn::GetAtt': [id(stack.telemetry), 'Arn'] };
  const resultsArn = { 'Fn::GetAtt': [id(stack.results.stream), 'Arn'] };
  const props = (type: string) => Object.values<any>(template.findResources(type)).map((r) => r.Properties);

  test('devices publish through the IoT rule into the Telemetry stream: device id from the topic, time from the broker, one shard order per device', () => {
    expect(props('AWS::IoT::TopicRule')).toEqual([expect.objectContaining({
      RuleName: 'real_time_analytics_telemetry',
      TopicRulePayload: expect.objectContaining({
        Sql: "SELECT topic(2) AS deviceId, timestamp() AS ts, temperature FROM 'devices/+/telemetry' WHERE isNumber(temperature)",
        Actions: [{ Kinesis: { StreamName: { Ref: id(stack.telemetry) }, PartitionKey: '${topic()}', RoleArn: { 'Fn::GetAtt': [id(stack.deviceRule.role), 'Arn'] } } }],
      }),
    })]);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' }, StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn }, RetentionPeriodHours: 24,
    });
  });

  test('the Flink application runs the PyFlink zip (main.py + the connector under lib/) from Telemetry to Results, at 1 KPU', () => {
    const [application] = props('AWS::KinesisAnalyticsV2::Application');
    expect(application.RuntimeEnvironment).toBe('FLINK-1_20');
    expect(application.ApplicationName).toBe('RealTimeAnalytics-device-analytics');
    const config = application.ApplicationConfiguration;
    expect(config.ApplicationCodeConfiguration).toEqual({
      CodeContentType: 'ZIPFILE',
      CodeContent: { S3ContentLocation: { BucketARN: expect.anything(), FileKey: `${stack.flinkJob.asset.assetHash}.zip` } },
    });
    expect(config.EnvironmentProperties.PropertyGroups).toEqual([
      { PropertyGroupId: RUN_OPTIONS_GROUP, PropertyMap: { python: 'main.py', jarfile: `lib/${CONNECTOR.fileName}` } },
      {
        PropertyGroupId: JOB_PROPERTY_GROUP,
        PropertyMap: {
          'input.stream.arn': telemetryArn,
          'output.stream.arn': resultsArn,
          'aws.region': { Ref: 'AWS::Region' },
          'connector.jar': `lib/${CONNECTOR.fileName}`,
          ...JOB_SETTINGS,
        },
      },
    ]);
    expect(config.FlinkApplicationConfiguration.ParallelismConfiguration).toEqual({
      ConfigurationType: 'CUSTOM', Parallelism: 1, ParallelismPerKPU: 1, AutoScalingEnabled: false,
    });
    expect(config.ApplicationEncryptionConfiguration).toEqual({ KeyType: 'CUSTOMER_MANAGED_KEY', KeyId: keyArn });
    expect(stack.analytics.initialKpus).toBe(1);
  });

  test('the job zip holds exactly main.py and lib/<connector>', () => {
    const source = stack.flinkJob.stagedDirectory;
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
    expect(files(source).sort()).toEqual(['lib/' + CONNECTOR.fileName, 'main.py']);
    expect(fs.readFileSync(path.join(source, 'main.py'), 'utf8')).toBe(fs.readFileSync(path.join(__dirname, '..', 'flink', 'main.py'), 'utf8'));
  });

  test('Results go to OpenSearch through Firehose (daily index, VPC delivery), refused documents to S3 under opensearch-failed/', () => {
    const [delivery] = props('AWS::KinesisFirehose::DeliveryStream');
    expect(delivery.KinesisStreamSourceConfiguration.KinesisStreamARN).toEqual(resultsArn);
    const os_ = delivery.AmazonopensearchserviceDestinationConfiguration;
    expect(os_).toEqual(expect.objectContaining({
      DomainARN: { 'Fn::GetAtt': [id(stack.search.domain), 'Arn'] },
      IndexName: 'device-metrics',
      IndexRotationPeriod: 'OneDay',
      BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
      S3BackupMode: 'FailedDocumentsOnly',
      VpcConfiguration: {
        RoleARN: { 'Fn::GetAtt': [id(stack.results.deliveryRole), 'Arn'] },
        SecurityGroupIds: [{ 'Fn::GetAtt': [id(stack.search.securityGroup), 'GroupId'] }],
        SubnetIds: stack.vpc.isolatedSubnets.map((s) => ({ Ref: id(s) })),
      },
    }));
    expect(os_.S3Configuration).toEqual(expect.objectContaining({
      BucketARN: { 'Fn::GetAtt': [id(stack.results.bucket), 'Arn'] },
      Prefix: 'opensearch-failed/',
      EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: keyArn } },
    }));
  });

  test('a small two-zone OpenSearch domain in isolated subnets: 2 t3.medium data nodes, 3 t3.small masters, encrypted with the data key', () => {
    const [domain] = props('AWS::OpenSearchService::Domain');
    expect(domain.ClusterConfig).toEqual({
      DedicatedMasterCount: 3,
      DedicatedMasterEnabled: true,
      DedicatedMasterType: 't3.small.search',
      InstanceCount: 2,
      InstanceType: 't3.medium.search',
      ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
      ZoneAwarenessEnabled: true,
    });
    expect(domain.EBSOptions).toEqual({ EBSEnabled: true, VolumeSize: 10, VolumeType: 'gp3' });
    expect(domain.EncryptionAtRestOptions).toEqual({ Enabled: true, KmsKeyId: { Ref: id(stack.encryptionKey) } });
    expect(domain.VPCOptions.SubnetIds).toEqual(stack.vpc.isolatedSubnets.map((s) => ({ Ref: id(s) })));
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
  });

  test('the lab client security group reaches the domain on HTTPS only, and the domain accepts it', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [id(stack.search.securityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack.labClientSecurityGroup), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    });
    const [client] = Object.values<any>(template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^Lab clients') },
    }));
    // no inline egress (allowAllOutbound is off): its one egress rule is HTTPS to the domain
    expect(client.Properties.SecurityGroupEgress).toBeUndefined();
    const egress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [id(stack.labClientSecurityGroup), 'GroupId'] }));
    expect(egress.map((r) => r.Properties)).toEqual([{
      GroupId: { 'Fn::GetAtt': [id(stack.labClientSecurityGroup), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [id(stack.search.securityGroup), 'GroupId'] },
      Description: 'HTTPS from lab clients',
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    }]);
  });

  test('device state: a provisioned table sized from the workload (20 writes/s and 10 eventually consistent reads/s of 1 KB items)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'deviceId', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 20 },
      SSESpecification: { KMSMasterKeyId: keyArn, SSEEnabled: true, SSEType: 'KMS' },
    });
    expect([stack.deviceState.readCapacity, stack.deviceState.writeCapacity]).toEqual([5, 20]);
  });

  test('the idempotent consumer reads Results with the app\'s pre-built handler, knowing the state table and the alert queue', () => {
    const fn = template.toJSON().Resources[id(stack.consumer.consumerFunction)].Properties;
    expect(fn.Environment.Variables).toEqual(expect.objectContaining({
      STATE_TABLE_NAME: { Ref: id(stack.deviceState.table) },
      ALERT_QUEUE_URL: { Ref: id(stack.alerts.queue) },
      SEEN_TABLE_NAME: { Ref: id(stack.consumer.seenTable) },
      ID_FIELD: 'recordId',
    }));
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Code.S3Key).toMatch(/^[a-f0-9]{64}\.zip$/);
    expect(fs.existsSync(path.join(DEVICE_STATE_CODE_DIR, 'index.js'))).toBe(true);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: resultsArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('every alarm of every construct notifies the one encrypted alarm topic', () => {
    const topic = { Ref: id(stack.alarmTopic.topic.node.defaultChild as sns.CfnTopic) };
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe([
      stack.results, stack.analytics, stack.search, stack.alerts, stack.consumer,
    ].reduce((n, c) => n + c.alarms.length, 0));
    for (const a of alarms) expect({ actions: a.Properties.AlarmActions, ok: a.Properties.OKActions }).toEqual({ actions: [topic], ok: [topic] });
  });

  test('outputs tell the learner where to send data and where to look', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'AlertQueueUrl', 'DeviceStateTableName', 'FailedDocumentsLocation', 'FirehoseRoleArn', 'FlinkApplicationName', 'FlinkConnectorJar', 'FlinkLogGroupName',
      'LabClientSecurityGroupId', 'LabSubnetIds', 'ResultsStreamName', 'SearchAdminRoleArn', 'SearchDomainEndpoint', 'TelemetryStreamName',
      'TelemetryTopic', 'VpcId',
    ]);
    expect(template.toJSON().Outputs.FlinkConnectorJar.Value).toBe(`included (lib/${CONNECTOR.fileName})`);
  });

  test('snapshot (normalized)', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('cdk-nag: four packs clean; every acknowledgement is listed here, so a new one shows up in review', () => {
    const report = expectNagClean(app);
    const lines = acknowledgementLines(report, 'RealTimeAnalytics/');
    const reason = 'Added by Kinesis Stream.grantWrite for the Results stream (the Flink job\'s output): encrypting the records it puts, scoped to the app\'s data key.';
    expect(lines.filter((l) => l.startsWith('AwsSolutions-IAM5[Action::kms') && l.includes('StreamAnalytics/Role')).map((l) => [l.split(' at ')[0], l.endsWith(reason)])).toEqual([
      ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', true],
      ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', true],
    ]);
    expect(lines).toMatchSnapshot();
  });
});

describe('RealTimeAnalytics props and context', () => {
  test('opensearch-admin-arn makes the learner\'s role the fine-grained access control master user (no role created)', () => {
    const arn = 'arn:aws:iam::123456789012:role/Admin';
    const { stack, template } = build({}, { context: { 'opensearch-admin-arn': arn } });
    expect(stack.search.adminRole.roleArn).toBe(arn);
    template.hasResourceProperties('AWS::OpenSearchService::Domain', { AdvancedSecurityOptions: { MasterUserOptions: { MasterUserARN: arn } } });
    expectPropError(() => build({ openSearchAdminArn: 'arn:aws:iam::123456789012:user/alice' }), {
      path: 'RealTimeAnalytics', prop: 'openSearchAdminArn', value: 'arn:aws:iam::123456789012:user/alice', allowed: 'an IAM role ARN',
    });
  });

  test('a connector path that does not exist fails synth with the download address; the default path missing only warns', () => {
    const message = expectPropError(() => build({ flinkConnectorJar: '/nowhere/connector.jar' }), {
      path: 'RealTimeAnalytics', prop: 'flinkConnectorJar', value: '/nowhere/connector.jar', allowed: 'an existing .jar file',
    });
    expect(message).toContain(CONNECTOR.url);
    const stack = testStack();
    const job = packageFlinkJob(stack, undefined, path.join(os.tmpdir(), 'no-such-dir', CONNECTOR.fileName));
    expect(job.connectorIncluded).toBe(false);
    expect(job.jarFile).toBe(`lib/${CONNECTOR.fileName}`);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Flink Kinesis SQL connector is not at'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toContain('curl -fLo');
    expect(fs.readdirSync(job.stagedDirectory).sort()).toEqual(['lib', 'main.py']);
    expect(fs.readdirSync(path.join(job.stagedDirectory, 'lib'))).toEqual([]);
  });

  test('the connector comes from the context too (a path relative to where cdk runs)', () => {
    const jar = fakeConnectorJar();
    const { stack } = build({ flinkConnectorJar: undefined }, { context: { 'flink-connector-jar': path.relative(process.cwd(), jar) } });
    expect(stack.flinkJob.connectorIncluded).toBe(true);
  });

  test('alarm e-mails come from props or the alarm-emails context, and reach the sandbox budget', () => {
    build({}, { context: { 'alarm-emails': 'a@example.com, b@example.com' } }).template
      .resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 2);
    const budget = build({ alarmEmails: ['ops@example.com'] }, { sandbox: true, context: { 'analytics-patterns:budget-usd': '15' } }).template;
    const [b] = Object.values<any>(budget.findResources('AWS::Budgets::Budget'));
    expect(b.Properties.NotificationsWithSubscribers[0].Subscribers).toEqual([{ SubscriptionType: 'EMAIL', Address: 'ops@example.com' }]);
  });
});
