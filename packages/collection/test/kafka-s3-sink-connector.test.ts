import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, listParameter, logicalId, numberParameter, OTHER_ACCOUNT,
  Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConnectorCapacity, ConnectorPluginType, KafkaCluster, KafkaS3SinkConnector, KafkaS3SinkConnectorProps } from '../src';

const ACCOUNT = '123456789012';
const BOOTSTRAP = 'b-1.orders.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.orders.abc123.c2.kafka.eu-west-1.amazonaws.com:9098';
const FROM_ALARM = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x` };

/** An imported VPC with one isolated subnet in each of three zones (created once per stack). */
function importedVpc(stack: Stack): ec2.IVpc {
  return (stack.node.tryFindChild('ImportedVpc') as ec2.IVpc | undefined) ?? ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    isolatedSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2', 'subnet-0ccccccccccccccc3'],
  });
}

/** A cluster named `orders`, a plugin bucket and a destination, and the connector under test. */
function build(props: Partial<KafkaS3SinkConnectorProps> = {}, destination?: (stack: Stack) => s3.IBucket) {
  const stack = testStack();
  const vpc = importedVpc(stack);
  const cluster = new KafkaCluster(stack, 'Kafka', { vpc, clusterName: 'orders' });
  const lake = destination ? undefined : new SecureBucket(stack, 'Lake');
  const connector = new KafkaS3SinkConnector(stack, 'Sink', {
    cluster,
    bootstrapServers: BOOTSTRAP,
    vpc,
    plugin: { bucket: s3.Bucket.fromBucketName(stack, 'Plugins', 'my-plugins'), key: 'confluentinc-kafka-connect-s3-10.5.0.zip' },
    topics: ['orders.clicks', 'orders.views'],
    bucket: destination ? destination(stack) : lake!.bucket,
    connectorName: 'orders-to-s3',
    ...props,
  });
  return { stack, cluster, lake, connector };
}

describe('KafkaS3SinkConnector over a KafkaCluster into a SecureBucket', () => {
  const { stack, cluster, lake, connector } = build();
  const template = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const role = connector.role.roleArn;
  const clusterArn = access.resolve(cluster.clusterArn) as string;
  const uuid = clusterArn.split('/')[2];
  const topic = (name: string) => `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/orders/${uuid}/${name}`;
  const group = (name: string) => `arn:aws:kafka:eu-west-1:${ACCOUNT}:group/orders/${uuid}/${name}`;
  const bucket = lake!.bucket;
  const key = lake!.encryptionKey.keyArn;

  test('custom plugin from the artifact in S3; connector with IAM auth over TLS, autoscaled capacity, worker logs, the role', () => {
    template.hasResourceProperties('AWS::KafkaConnect::CustomPlugin', {
      Name: 'orders-to-s3-plugin',
      ContentType: 'ZIP',
      Location: { S3Location: { BucketArn: 'arn:aws:s3:::my-plugins', FileKey: 'confluentinc-kafka-connect-s3-10.5.0.zip' } },
    });
    const c = template.toJSON().Resources[stack.getLogicalId(connector.connector)].Properties;
    expect(c).toMatchObject({
      ConnectorName: 'orders-to-s3',
      KafkaConnectVersion: '3.7.x',
      KafkaClusterClientAuthentication: { AuthenticationType: 'IAM' },
      KafkaClusterEncryptionInTransit: { EncryptionType: 'TLS' },
      KafkaCluster: { ApacheKafkaCluster: { BootstrapServers: BOOTSTRAP, Vpc: { Subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2', 'subnet-0ccccccccccccccc3'] } } },
      ServiceExecutionRoleArn: { 'Fn::GetAtt': [logicalId(stack, connector.role), 'Arn'] },
      LogDelivery: { WorkerLogDelivery: { CloudWatchLogs: { Enabled: true, LogGroup: { Ref: logicalId(stack, connector.workerLogGroup) } } } },
      Plugins: [{
        CustomPlugin: {
          CustomPluginArn: { 'Fn::GetAtt': [stack.getLogicalId(connector.customPlugin), 'CustomPluginArn'] },
          Revision: { 'Fn::GetAtt': [stack.getLogicalId(connector.customPlugin), 'Revision'] },
        },
      }],
    });
    expect(c.Capacity).toEqual({
      AutoScaling: {
        McuCount: 1,
        MinWorkerCount: 1,
        MaxWorkerCount: 2,
        ScaleInPolicy: { CpuUtilizationPercentage: 20 },
        ScaleOutPolicy: { CpuUtilizationPercentage: 80 },
      },
    });
    expect(c.ConnectorConfiguration).toEqual({
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      'topics': 'orders.clicks,orders.views',
      's3.bucket.name': { Ref: logicalId(stack, bucket) },
      's3.region': 'eu-west-1',
      'topics.dir': 'kafka',
      's3.ssea.name': 'aws:kms',
      's3.sse.kms.key.id': { 'Fn::GetAtt': [logicalId(stack, lake!.encryptionKey), 'Arn'] },
      'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
      'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
      'flush.size': '1000',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, lake!.encryptionKey), 'Arn'] }, RetentionInDays: 365 });
  });

  test('network: the workers reach only the brokers\' IAM port and HTTPS; the brokers accept them on 9098', () => {
    const workers = logicalId(stack, connector.connections.securityGroups[0] as ec2.SecurityGroup);
    const brokers = logicalId(stack, cluster.connections.securityGroups[0] as ec2.SecurityGroup);
    const workerGroup = template.toJSON().Resources[workers].Properties;
    expect(workerGroup.SecurityGroupIngress).toBeUndefined();
    expect(workerGroup.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', Description: 'HTTPS to S3 (gateway endpoint or NAT)', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [workers, 'GroupId'] }, DestinationSecurityGroupId: { 'Fn::GetAtt': [brokers, 'GroupId'] }, FromPort: 9098, ToPort: 9098,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [brokers, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [workers, 'GroupId'] }, FromPort: 9098, ToPort: 9098,
    });
  });

  test('service role: trusted by MSK Connect for connectors of this name in this account only (statement whole)', async () => {
    const trust = template.toJSON().Resources[logicalId(stack, connector.role)].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'kafkaconnect.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:kafkaconnect:eu-west-1:${ACCOUNT}:connector/orders-to-s3/*` } },
    }]);
    const mine = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:kafkaconnect:eu-west-1:${ACCOUNT}:connector/orders-to-s3/1b2c3d4e-1234-5678-9abc-def012345678-3` };
    await access.expectAllowed({ principal: 'kafkaconnect.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: mine });
    await access.expectDenied(
      { principal: 'kafkaconnect.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { ...mine, 'aws:SourceArn': `arn:aws:kafkaconnect:eu-west-1:${ACCOUNT}:connector/another/1b2c` } },
      { principal: 'kafkaconnect.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:kafkaconnect:eu-west-1:${OTHER_ACCOUNT}:connector/orders-to-s3/x` } },
      { principal: 'kafkaconnect.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: 'kafka.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: mine },
    );
  });

  test('run time: the role reads its topics, runs its internal topics and its consumer group; nothing else on the cluster', async () => {
    await access.expectAllowed(
      { principal: role, action: 'kafka-cluster:Connect', resource: clusterArn },
      { principal: role, action: 'kafka-cluster:DescribeCluster', resource: clusterArn },
      { principal: role, action: 'kafka-cluster:DescribeTopic', resource: topic('orders.clicks') },
      { principal: role, action: 'kafka-cluster:ReadData', resource: topic('orders.clicks') },
      { principal: role, action: 'kafka-cluster:ReadData', resource: topic('orders.views') },
      { principal: role, action: 'kafka-cluster:CreateTopic', resource: topic('__amazon_msk_connect_offsets_orders-to-s3_x') },
      { principal: role, action: 'kafka-cluster:WriteData', resource: topic('__amazon_msk_connect_status_orders-to-s3_x') },
      { principal: role, action: 'kafka-cluster:AlterGroup', resource: group('connect-orders-to-s3') },
      { principal: role, action: 'kafka-cluster:DescribeGroup', resource: group('connect-orders-to-s3') },
    );
    await access.expectDenied(
      { principal: role, action: 'kafka-cluster:ReadData', resource: topic('payments.cards') },
      { principal: role, action: 'kafka-cluster:ReadData', resource: topic('orders.clicks-v2') },
      { principal: role, action: 'kafka-cluster:WriteData', resource: topic('orders.clicks') },
      { principal: role, action: 'kafka-cluster:CreateTopic', resource: topic('orders.new') },
      { principal: role, action: 'kafka-cluster:AlterGroup', resource: group('connect-another') },
      { principal: role, action: 'kafka-cluster:AlterCluster', resource: clusterArn },
    );
  });

  test('run time: the role writes under its prefix with the bucket key through S3; strangers, another account, unsigned and plain-HTTP requests are refused', async () => {
    const object = bucket.arnForObjects('kafka/orders.clicks/partition=0/orders.clicks+0+0000000000.json');
    const sse = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': key };
    const viaS3 = (arn: string) => ({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': arn });
    await access.expectAllowed(
      { principal: role, action: 's3:PutObject', resource: object, context: sse },
      { principal: role, action: 's3:AbortMultipartUpload', resource: object },
      { principal: role, action: 's3:ListBucket', resource: bucket.bucketArn },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: viaS3(object) },
      { principal: role, action: 'kms:Decrypt', resource: key, context: viaS3(bucket.bucketArn) },
    );
    await access.expectDenied(
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('curated/x.json'), context: sse },
      { principal: role, action: 's3:DeleteObject', resource: object },
      { principal: role, action: 'kms:GenerateDataKey', resource: key },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: viaS3(bucket.arnForObjects('curated/x.json')) },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
      { principal: Principals.strangerInAccount(), action: 'kafka-cluster:ReadData', resource: topic('orders.clicks') },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 'kafka-cluster:Connect', resource: clusterArn },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
    );
    await access.expectExplicitlyDenied({ principal: role, action: 's3:PutObject', resource: object, context: { ...sse, 'aws:SecureTransport': 'false' } });
  });

  test('run time: CloudWatch Logs encrypts the worker log group with the key; the errored-task alarm reaches its topic', async () => {
    const groupArn = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${access.resolve(connector.workerLogGroup.logGroupName)}`;
    await access.expectAllowed(
      { principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': groupArn } },
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: connector.alarmTopic.topicArn, context: FROM_ALARM },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: FROM_ALARM },
    );
    await access.expectDenied(
      { principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:x` } },
    );
  });

  test('alarm (whole): any errored task of the connector notifies the topic the connector creates', () => {
    const topicRef = { Ref: logicalId(stack, connector.alarmTopic as sns.Topic) };
    expect(connector.alarms).toEqual([connector.erroredTaskAlarm]);
    expect(template.toJSON().Resources[logicalId(stack, connector.erroredTaskAlarm)].Properties).toEqual({
      AlarmDescription: 'A task of connector orders-to-s3 (TestStack/Sink) failed: records of its partitions are not copied to S3; see the worker log group.',
      Namespace: 'AWS/KafkaConnect',
      MetricName: 'ErroredTaskCount',
      Dimensions: [{ Name: 'ConnectorName', Value: 'orders-to-s3' }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test('logical ids of the worker log group, the plugin and the connector are pinned', () => {
    expect([logicalId(stack, connector.workerLogGroup), stack.getLogicalId(connector.customPlugin), stack.getLogicalId(connector.connector)])
      .toEqual(['SinkWorkerLogs3EF2DE6F', 'SinkPluginEA44E145', 'SinkConnector404D7AA6']);
  });
});

test('KafkaS3SinkConnector: provisioned capacity, a JAR plugin pinned to a version, extra connector properties', () => {
  const { stack, connector } = build({
    capacity: ConnectorCapacity.provisioned({ workerCount: 4, mcuCount: 2 }),
    plugin: { bucket: s3.Bucket.fromBucketName(testStack(), 'P', 'my-plugins'), key: 'plugins/s3-sink.JAR', objectVersion: 'v42' },
    connectorConfiguration: { 'flush.size': '500', 'tasks.max': '8', 'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat' },
    kafkaConnectVersion: '2.7.1',
  });
  const t = Template.fromStack(stack);
  const c = t.toJSON().Resources[stack.getLogicalId(connector.connector)].Properties;
  expect(c.Capacity).toEqual({ ProvisionedCapacity: { WorkerCount: 4, McuCount: 2 } });
  expect(c.KafkaConnectVersion).toBe('2.7.1');
  expect(c.ConnectorConfiguration).toMatchObject({ 'flush.size': '500', 'tasks.max': '8', 'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat', 'topics.dir': 'kafka' });
  t.hasResourceProperties('AWS::KafkaConnect::CustomPlugin', { ContentType: 'JAR', Location: { S3Location: { FileKey: 'plugins/s3-sink.JAR', ObjectVersion: 'v42' } } });
});

test('KafkaS3SinkConnector: tokens (CfnParameters) for servers, topics, prefix, name, plugin key, version and capacity reach the template', () => {
  const stack = testStack();
  const vpc = importedVpc(stack);
  const cluster = new KafkaCluster(stack, 'Kafka', { vpc, clusterName: 'orders' });
  const n = (name: string) => numberParameter(stack, name);
  const s = (name: string) => stringParameter(stack, name);
  new KafkaS3SinkConnector(stack, 'Sink', {
    cluster,
    vpc,
    bootstrapServers: s('Servers'),
    plugin: { bucket: s3.Bucket.fromBucketName(stack, 'Plugins', 'my-plugins'), key: s('PluginKey'), contentType: ConnectorPluginType.ZIP },
    topics: [s('Topic')],
    bucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake'),
    prefix: s('Prefix'),
    connectorName: s('Name'),
    kafkaConnectVersion: s('Version'),
    capacity: ConnectorCapacity.autoScaling({ mcuCount: n('Mcu'), minWorkers: n('Min'), maxWorkers: n('Max'), scaleInCpuPercent: n('In'), scaleOutCpuPercent: n('Out') }),
  });
  const t = Template.fromStack(stack);
  expectParameterUsed(t, 'Servers', /BootstrapServers/);
  expectParameterUsed(t, 'PluginKey', /FileKey/);
  expectParameterUsed(t, 'Topic', /ConnectorConfiguration/);
  expectParameterUsed(t, 'Topic', /PolicyDocument/);
  expectParameterUsed(t, 'Prefix', /topics\.dir/);
  expectParameterUsed(t, 'Prefix', /PolicyDocument/);
  expectParameterUsed(t, 'Name', /ConnectorName/);
  expectParameterUsed(t, 'Name', /AssumeRolePolicyDocument/);
  expectParameterUsed(t, 'Name', /Dimensions/);
  expectParameterUsed(t, 'Version', /KafkaConnectVersion/);
  for (const [name, where] of [['Mcu', /McuCount/], ['Min', /MinWorkerCount/], ['Max', /MaxWorkerCount/], ['In', /ScaleInPolicy/], ['Out', /ScaleOutPolicy/]] as const) {
    expectParameterUsed(t, name, where);
  }
});

test('KafkaS3SinkConnector: a list token for topics, and a token plugin key without a content type, are refused with a clear message', () => {
  expectPropError(() => {
    const stack = testStack();
    build({ topics: listParameter(stack, 'Topics') });
  }, { path: 'TestStack/Sink', prop: 'topics', allowed: 'an array of topic names' });
  const stack = testStack();
  expectPropError(() => build({ plugin: { bucket: s3.Bucket.fromBucketName(stack, 'P', 'plugins-b'), key: stringParameter(stack, 'Key') } }), {
    path: 'TestStack/Sink', prop: 'plugin.contentType', allowed: 'ZIP or JAR when plugin.key is a token',
  });
});

describe('KafkaS3SinkConnector: validation (both sides of each limit)', () => {
  const path = 'TestStack/Sink';
  const lake = (s: Stack) => s3.Bucket.fromBucketName(s, 'Lake', 'lake');
  const ok = (props: Partial<KafkaS3SinkConnectorProps>) => expect(() => build(props, lake)).not.toThrow();
  const fails = (props: Partial<KafkaS3SinkConnectorProps>, prop: string, allowed: string, value?: string) =>
    expectPropError(() => build(props, lake), { path, prop, allowed, value });

  test('capacity: MCUs 1, 2, 4 or 8; workers 1-10; min <= max; CPU 1-100 % with scale-in below scale-out', () => {
    ok({ capacity: ConnectorCapacity.provisioned({ workerCount: 1, mcuCount: 1 }) });
    ok({ capacity: ConnectorCapacity.provisioned({ workerCount: 10, mcuCount: 8 }) });
    ok({ capacity: ConnectorCapacity.autoScaling({ minWorkers: 10, maxWorkers: 10, scaleInCpuPercent: 1, scaleOutCpuPercent: 100 }) });
    fails({ capacity: ConnectorCapacity.provisioned({ workerCount: 0 }) }, 'capacity.workerCount', '1-10 workers', '0 workers');
    fails({ capacity: ConnectorCapacity.provisioned({ workerCount: 11 }) }, 'capacity.workerCount', '1-10 workers', '11 workers');
    fails({ capacity: ConnectorCapacity.provisioned({ workerCount: 1, mcuCount: 3 }) }, 'capacity.mcuCount', 'one of 1, 2, 4, 8', '3');
    fails({ capacity: ConnectorCapacity.autoScaling({ mcuCount: 16 }) }, 'capacity.mcuCount', 'one of 1, 2, 4, 8', '16');
    fails({ capacity: ConnectorCapacity.autoScaling({ maxWorkers: 11 }) }, 'capacity.maxWorkers', '1-10 workers', '11 workers');
    fails({ capacity: ConnectorCapacity.autoScaling({ minWorkers: 3, maxWorkers: 2 }) }, 'capacity.minWorkers', 'at most capacity.maxWorkers (2)', '3');
    fails({ capacity: ConnectorCapacity.autoScaling({ scaleInCpuPercent: 0 }) }, 'capacity.scaleInCpuPercent', '1-100 %', '0 %');
    fails({ capacity: ConnectorCapacity.autoScaling({ scaleOutCpuPercent: 101 }) }, 'capacity.scaleOutCpuPercent', '1-100 %', '101 %');
    fails({ capacity: ConnectorCapacity.autoScaling({ scaleInCpuPercent: 80, scaleOutCpuPercent: 80 }) }, 'capacity.scaleInCpuPercent', 'below capacity.scaleOutCpuPercent (80)', '80');
  });

  test('topics: Kafka names, unique, not MSK Connect internal topics, at least one', () => {
    ok({ topics: ['t'.repeat(249)] });
    fails({ topics: [] }, 'topics', 'at least one topic name', '[]');
    fails({ topics: ['t'.repeat(250)] }, 'topics[0]', 'a Kafka topic name');
    fails({ topics: ['orders clicks'] }, 'topics[0]', 'a Kafka topic name', '"orders clicks"');
    fails({ topics: ['a', 'a'] }, 'topics', 'distinct entries');
    fails({ topics: ['__amazon_msk_connect_offsets'] }, 'topics[0]', 'not one of MSK Connect\'s internal topics');
  });

  test('plugin key .zip or .jar, content type matching it; Kafka Connect version; name; bootstrap servers; prefix; owned properties', () => {
    const plugins = (s: Stack) => s3.Bucket.fromBucketName(s, 'P2', 'plugins-b');
    ok({ connectorName: 'c'.repeat(128) });
    expectPropError(() => build({ plugin: { bucket: plugins(testStack()), key: 'connector.tar.gz' } }, lake), { path, prop: 'plugin.key', value: '"connector.tar.gz"', allowed: 'ending with .zip or .jar' });
    expectPropError(() => build({ plugin: { bucket: plugins(testStack()), key: 'c.zip', contentType: ConnectorPluginType.JAR } }, lake), { path, prop: 'plugin.contentType', allowed: 'ZIP (the key\'s extension)' });
    fails({ kafkaConnectVersion: '3.8.x' }, 'kafkaConnectVersion', 'one of 2.7.1, 3.7.x', '"3.8.x"');
    fails({ connectorName: 'c'.repeat(129) }, 'connectorName', '1-128 characters');
    fails({ connectorName: 'has space' }, 'connectorName', 'without white space', '"has space"');
    fails({ bootstrapServers: 'not a broker list' }, 'bootstrapServers', 'a comma-separated list of host:port');
    fails({ prefix: '/kafka' }, 'prefix', 'without expressions or a leading "/"', '"/kafka"');
    fails({ connectorConfiguration: { 's3.bucket.name': 'elsewhere', 'flush.size': '10' } }, 'connectorConfiguration', 'properties other than connector.class', '["s3.bucket.name"]');
  });
});

test('KafkaS3SinkConnector into an imported bucket with an imported key in an imported VPC: nag clean in the four packs; each wildcard acknowledged with its own finding', () => {
  const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
  const { stack } = build({}, (s) => s3.Bucket.fromBucketAttributes(s, 'Lake', { bucketName: 'their-lake', encryptionKey: kms.Key.fromKeyArn(s, 'LakeKey', keyArn) }));
  Annotations.fromStack(stack).hasWarning('/TestStack/Sink', Match.stringLikeRegexp('must allow logs.eu-west-1.amazonaws.com'));
  const report = expectNagClean(stack);
  const rules = [...new Set(report.acknowledged.filter((a) => a.path.startsWith('TestStack/Sink/')).map((a) => a.rule))].sort();
  expect(rules).toEqual([
    'AwsSolutions-IAM5[Resource::arn:aws:kafka:eu-west-1:123456789012:group/orders/*/__amazon_msk_connect_*]',
    'AwsSolutions-IAM5[Resource::arn:aws:kafka:eu-west-1:123456789012:group/orders/*/connect-orders-to-s3]',
    'AwsSolutions-IAM5[Resource::arn:aws:kafka:eu-west-1:123456789012:topic/orders/*/__amazon_msk_connect_*]',
    'AwsSolutions-IAM5[Resource::arn:aws:kafka:eu-west-1:123456789012:topic/orders/*/orders.clicks]',
    'AwsSolutions-IAM5[Resource::arn:aws:kafka:eu-west-1:123456789012:topic/orders/*/orders.views]',
    'AwsSolutions-IAM5[Resource::arn:aws:s3:::their-lake/kafka/*]',
    'HIPAA.Security-IAMNoInlinePolicy',
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'PCI.DSS.321-IAMNoInlinePolicy',
  ]);
});

test('KafkaS3SinkConnector into an imported bucket without a key: a new DataKey encrypts objects, logs and the alarm topic (logical id pinned); nag clean', () => {
  const { stack, connector } = build({}, (s) => s3.Bucket.fromBucketName(s, 'Lake', 'plain-lake'));
  expect(connector.objectKey).toBe(connector.encryptionKey);
  expect(logicalId(stack, connector.encryptionKey)).toBe('SinkKeyD8812CD4');
  expectNagClean(stack);
});

test('KafkaS3SinkConnector with customer-managed policies (context flag): the service policy keeps its logical id, the connector still waits for it; nag clean', async () => {
  const stack = testStack({ context: { 'analytics-patterns:customer-managed-policies': true } });
  const vpc = importedVpc(stack);
  const cluster = new KafkaCluster(stack, 'Kafka', { vpc, clusterName: 'orders' });
  const connector = new KafkaS3SinkConnector(stack, 'Sink', {
    cluster,
    bootstrapServers: BOOTSTRAP,
    vpc,
    plugin: { bucket: s3.Bucket.fromBucketName(stack, 'Plugins', 'my-plugins'), key: 'sink.zip' },
    topics: ['orders.clicks'],
    bucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake'),
    connectorName: 'orders-to-s3',
  });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::IAM::Policy', 0);
  const managed = template.findResources('AWS::IAM::ManagedPolicy');
  expect(Object.keys(managed)).toContain('SinkServicePolicyB94450D9');
  expect(template.toJSON().Resources[stack.getLogicalId(connector.connector)].DependsOn).toContain('SinkServicePolicyB94450D9');
  await AccessModel.of(stack).expectAllowed({ principal: connector.role.roleArn, action: 'kafka-cluster:Connect', resource: cluster.clusterArn });
  const report = expectNagClean(stack);
  expect(report.acknowledged.filter((a) => a.rule.endsWith('IAMNoInlinePolicy'))).toEqual([]);
});
