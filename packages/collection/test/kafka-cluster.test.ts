import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, logicalId, numberParameter, OTHER_ACCOUNT, Principals,
  stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { KafkaCluster, KafkaClusterMode, KafkaClusterProps } from '../src';

const ACCOUNT = '123456789012';
const FROM_ALARM = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x` };

function vpcOf(stack: Stack, maxAzs = 3) {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
}

/** An imported VPC with one isolated subnet in each of `zones` zones. */
function importedVpc(stack: Stack, zones = 3) {
  const letters = ['a', 'b', 'c'].slice(0, zones);
  const existing = stack.node.tryFindChild('ImportedVpc') as ec2.IVpc | undefined;
  return existing ?? ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: letters.map((l) => `eu-west-1${l}`),
    isolatedSubnetIds: letters.map((l) => `subnet-0${l.repeat(15)}1`),
  });
}

function build(props: Partial<KafkaClusterProps> = {}, sandbox = false, maxAzs = 3) {
  const stack = testStack({ sandbox });
  const kafka = new KafkaCluster(stack, 'Kafka', { vpc: vpcOf(stack, maxAzs), ...props });
  return { stack, kafka };
}

describe('KafkaCluster, provisioned over 3 zones, with a producer, a consumer and a deploy role', () => {
  const { stack, kafka } = build({ allowedPeers: [ec2.Peer.ipv4('10.1.0.0/16')], clusterName: 'orders' });
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const deployer = new iam.Role(stack, 'Deployer', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
  kafka.grantProduce(producer, 'orders.');
  kafka.grantConsume(consumer, 'orders.');
  kafka.grantEncryptionKeyToCreator(deployer);
  const template = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const clusterArn = access.resolve(kafka.clusterArn) as string;
  const [, , uuid] = clusterArn.split(':')[5].split('/');
  const topic = (name: string) => `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/orders/${uuid}/${name}`;
  const group = (name: string) => `arn:aws:kafka:eu-west-1:${ACCOUNT}:group/orders/${uuid}/${name}`;
  const key = kafka.encryptionKey!.keyArn;

  test('TLS everywhere, IAM auth only, CMK at rest, broker logs, enhanced monitoring, 3 brokers over 3 zones, retained', () => {
    const cluster = Object.values(template.findResources('AWS::MSK::Cluster'))[0];
    expect(cluster.Properties).toMatchObject({
      KafkaVersion: '3.8.x',
      NumberOfBrokerNodes: 3,
      BrokerNodeGroupInfo: { InstanceType: 'kafka.m7g.large', StorageInfo: { EBSStorageInfo: { VolumeSize: 100 } } },
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: { 'Fn::GetAtt': [logicalId(stack, kafka.encryptionKey!), 'Arn'] } },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EnhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: { Ref: logicalId(stack, kafka.brokerLogGroup!) } } } },
    });
    expect(cluster.Properties.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(3);
    expect(cluster.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [{ CidrIp: '10.1.0.0/16', FromPort: 9098, ToPort: 9098 }] });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, kafka.encryptionKey!), 'Arn'] }, RetentionInDays: 365 });
  });

  test('one alarm on the fullest broker (MAX over Cluster Name + Broker ID 1..3), notifying the topic the cluster creates', () => {
    const alarm = template.toJSON().Resources[logicalId(stack, kafka.diskUsedAlarm!)].Properties;
    const topicRef = { Ref: logicalId(stack, kafka.alarmTopic as sns.Topic) };
    expect(kafka.alarms).toEqual([kafka.diskUsedAlarm]);
    expect(alarm).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: [topicRef], OKActions: [topicRef] });
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([b1, b2, b3])');
    expect(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric)).toEqual([1, 2, 3].map((id) => ({
      Namespace: 'AWS/Kafka',
      MetricName: 'KafkaDataLogsDiskUsed',
      Dimensions: [{ Name: 'Broker ID', Value: String(id) }, { Name: 'Cluster Name', Value: 'orders' }],
    })));
  });

  test('logical ids of the key, the broker log group and the cluster are pinned', () => {
    expect([logicalId(stack, kafka.encryptionKey!), logicalId(stack, kafka.brokerLogGroup!), stack.getLogicalId(kafka.cluster!)])
      .toEqual(['KafkaKey1F80C490', 'KafkaBrokerLogsD032A934', 'KafkaCluster21A1BE89']);
  });

  test('grants (statements whole): produce = Connect + WriteDataIdempotently on the cluster, DescribeTopic + WriteData on the topics', () => {
    const statementsOf = (role: iam.Role) => Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p) => p.Properties.Roles[0].Ref === logicalId(stack, role))!.Properties.PolicyDocument.Statement;
    const clusterRef = { 'Fn::GetAtt': [stack.getLogicalId(kafka.cluster!), 'Arn'] };
    expect(statementsOf(producer)).toEqual([
      { Effect: 'Allow', Action: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'], Resource: clusterRef },
      { Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Resource: 'arn:aws:kafka:eu-west-1:123456789012:topic/orders/*/orders.*' },
    ]);
    expect(statementsOf(consumer)).toEqual([
      { Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: clusterRef },
      { Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Resource: 'arn:aws:kafka:eu-west-1:123456789012:topic/orders/*/orders.*' },
      { Effect: 'Allow', Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Resource: 'arn:aws:kafka:eu-west-1:123456789012:group/orders/*/orders.*' },
    ]);
  });

  test('run time: a producer connects and writes idempotently to its topics; a consumer reads them in its groups', async () => {
    const p = producer.roleArn;
    const c = consumer.roleArn;
    await access.expectAllowed(
      { principal: p, action: 'kafka-cluster:Connect', resource: clusterArn },
      { principal: p, action: 'kafka-cluster:WriteDataIdempotently', resource: clusterArn },
      { principal: p, action: 'kafka-cluster:DescribeTopic', resource: topic('orders.clicks') },
      { principal: p, action: 'kafka-cluster:WriteData', resource: topic('orders.clicks') },
      { principal: c, action: 'kafka-cluster:Connect', resource: clusterArn },
      { principal: c, action: 'kafka-cluster:DescribeTopic', resource: topic('orders.clicks') },
      { principal: c, action: 'kafka-cluster:ReadData', resource: topic('orders.clicks') },
      { principal: c, action: 'kafka-cluster:DescribeGroup', resource: group('orders.sessionizer') },
      { principal: c, action: 'kafka-cluster:AlterGroup', resource: group('orders.sessionizer') },
    );
    await access.expectDenied(
      { principal: p, action: 'kafka-cluster:WriteData', resource: topic('payments.cards') },
      { principal: p, action: 'kafka-cluster:ReadData', resource: topic('orders.clicks') },
      { principal: p, action: 'kafka-cluster:CreateTopic', resource: topic('orders.new') },
      { principal: c, action: 'kafka-cluster:WriteData', resource: topic('orders.clicks') },
      { principal: c, action: 'kafka-cluster:ReadData', resource: topic('payments.cards') },
      { principal: c, action: 'kafka-cluster:AlterGroup', resource: group('payments.app') },
      { principal: c, action: 'kafka-cluster:WriteDataIdempotently', resource: clusterArn },
    );
  });

  test('run time: strangers, another account and unsigned callers cannot connect, read or write; nor use the key', async () => {
    for (const principal of [{ principal: Principals.strangerInAccount() }, Principals.otherAccountAdmin(), { principal: Principals.anonymous }]) {
      await access.expectDenied(
        { ...principal, action: 'kafka-cluster:Connect', resource: clusterArn },
        { ...principal, action: 'kafka-cluster:ReadData', resource: topic('orders.clicks') },
        { ...principal, action: 'kafka-cluster:WriteData', resource: topic('orders.clicks') },
      );
    }
    await access.expectDenied(
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key },
      { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: key },
    );
  });

  test('run time: CloudWatch Logs uses the key for the broker log group; CloudWatch alarms publish to the alarm topic', async () => {
    const groupArn = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${access.resolve(kafka.brokerLogGroup!.logGroupName)}`;
    const logs = 'logs.eu-west-1.amazonaws.com';
    await access.expectAllowed(
      { principal: logs, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': groupArn } },
      { principal: logs, action: 'kms:Decrypt', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': groupArn } },
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: kafka.alarmTopic!.topicArn, context: FROM_ALARM },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: FROM_ALARM },
    );
    await access.expectDenied(
      { principal: logs, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:x` } },
      { principal: logs, action: 'kms:GenerateDataKey', resource: key },
    );
  });

  test('run time: the deploy role may create grants on the key for AWS resources through MSK only', async () => {
    const viaMsk = { 'kms:ViaService': 'kafka.eu-west-1.amazonaws.com' };
    await access.expectAllowed(
      { principal: deployer.roleArn, action: 'kms:CreateGrant', resource: key, context: { ...viaMsk, 'kms:GrantIsForAWSResource': 'true' } },
      { principal: deployer.roleArn, action: 'kms:DescribeKey', resource: key, context: viaMsk },
    );
    await access.expectDenied(
      { principal: deployer.roleArn, action: 'kms:CreateGrant', resource: key, context: viaMsk },
      { principal: deployer.roleArn, action: 'kms:CreateGrant', resource: key, context: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com', 'kms:GrantIsForAWSResource': 'true' } },
      { principal: deployer.roleArn, action: 'kms:Decrypt', resource: key, context: viaMsk },
    );
  });
});

describe('KafkaCluster, serverless over two zones', () => {
  const { stack, kafka } = build({ mode: KafkaClusterMode.SERVERLESS, clusterName: 'events' }, false, 2);
  const app = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  kafka.grantProduce(app, 'events.');
  const template = Template.fromStack(stack);

  test('IAM authentication, no brokers to size, no customer key (service-managed), no alarms', () => {
    template.resourceCountIs('AWS::MSK::Cluster', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(kafka.encryptionKey).toBeUndefined();
    expect(kafka.alarms).toEqual([]);
    expect(kafka.alarmTopic).toBeUndefined();
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', { ClusterName: 'events', ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } });
    expect(stack.getLogicalId(kafka.serverlessCluster!)).toBe('KafkaCluster21A1BE89');
  });

  test('run time: a producer writes idempotently to the serverless cluster', async () => {
    const access = AccessModel.of(stack);
    const clusterArn = access.resolve(kafka.clusterArn) as string;
    const uuid = clusterArn.split('/')[2];
    await access.expectAllowed(
      { principal: app.roleArn, action: 'kafka-cluster:Connect', resource: clusterArn },
      { principal: app.roleArn, action: 'kafka-cluster:WriteDataIdempotently', resource: clusterArn },
      { principal: app.roleArn, action: 'kafka-cluster:WriteData', resource: `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/events/${uuid}/events.clicks` },
    );
  });
});

test('KafkaCluster: tokens for brokers, storage, version, broker type and name reach the template; a token broker count keeps the disk alarm (Metrics Insights over every broker)', () => {
  const stack = testStack();
  const kafka = new KafkaCluster(stack, 'Kafka', {
    vpc: vpcOf(stack),
    brokers: numberParameter(stack, 'Brokers'),
    volumeSizeGiB: numberParameter(stack, 'Volume'),
    kafkaVersion: stringParameter(stack, 'Version'),
    brokerInstanceType: stringParameter(stack, 'BrokerType'),
    clusterName: stringParameter(stack, 'Name'),
  });
  kafka.grantProduce(new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }), stringParameter(stack, 'Prefix'));
  const t = Template.fromStack(stack);
  expectParameterUsed(t, 'Brokers', /NumberOfBrokerNodes/);
  expectParameterUsed(t, 'Volume', /VolumeSize/);
  expectParameterUsed(t, 'Version', /KafkaVersion/);
  expectParameterUsed(t, 'BrokerType', /InstanceType/);
  expectParameterUsed(t, 'Name', /ClusterName/);
  expectParameterUsed(t, 'Name', /Metrics/);
  expectParameterUsed(t, 'Prefix', /PolicyDocument/);
  const alarm = t.toJSON().Resources[logicalId(stack, kafka.diskUsedAlarm!)].Properties;
  expect(alarm.Metrics).toEqual([{
    Id: expect.any(String),
    Label: 'Fullest broker data volume (%)',
    Period: 300,
    ReturnData: true,
    Expression: {
      'Fn::Join': ['', ['SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = \'', { Ref: 'Name' }, '\'']],
    },
  }]);
  expect(alarm.Threshold).toBe(80);
});

test('KafkaCluster: with more than 10 brokers (a math alarm takes at most 10 metrics) the disk alarm watches every broker with Metrics Insights', () => {
  const { stack, kafka } = build({ brokers: 12, clusterName: 'big' });
  const alarm = Template.fromStack(stack).toJSON().Resources[logicalId(stack, kafka.diskUsedAlarm!)].Properties;
  expect(alarm.Metrics.map((m: any) => m.Expression)).toEqual(['SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = \'big\'']);
});

describe('KafkaCluster: validation (both sides of each limit)', () => {
  const path = 'TestStack/Kafka';
  const ok = (props: Partial<KafkaClusterProps>, maxAzs = 3) => expect(() => build(props, false, maxAzs)).not.toThrow();

  test('brokers 1-90 and a multiple of the zones', () => {
    ok({ brokers: 3 });
    ok({ brokers: 90 });
    ok({ brokers: 2 }, 2);
    expectPropError(() => build({ brokers: 4 }), { path, prop: 'brokers', value: '4', allowed: 'a multiple of the number of zones (3)' });
    expectPropError(() => build({ brokers: 3 }, false, 2), { path, prop: 'brokers', value: '3', allowed: 'a multiple of the number of zones (2)' });
    expectPropError(() => build({ brokers: 93 }), { path, prop: 'brokers', value: '93 brokers', allowed: '1-90 brokers' });
    expectPropError(() => build({ brokers: 0 }), { path, prop: 'brokers', value: '0 brokers', allowed: '1-90 brokers' });
  });

  test('storage 1-16,384 GiB; broker type; Kafka versions MSK documents for new clusters', () => {
    ok({ volumeSizeGiB: 1 });
    ok({ volumeSizeGiB: 16_384 });
    ok({ kafkaVersion: '3.9.x.kraft' });
    ok({ kafkaVersion: '4.1.x.kraft' });
    expectPropError(() => build({ volumeSizeGiB: 0 }), { path, prop: 'volumeSizeGiB', value: '0 GiB', allowed: '1-16384 GiB' });
    expectPropError(() => build({ volumeSizeGiB: 16_385 }), { path, prop: 'volumeSizeGiB', value: '16385 GiB', allowed: '1-16384 GiB' });
    expectPropError(() => build({ brokerInstanceType: 'm5.large' }), { path, prop: 'brokerInstanceType', value: '"m5.large"', allowed: 'an MSK broker type' });
    expectPropError(() => build({ kafkaVersion: '3.6.0' }), { path, prop: 'kafkaVersion', value: '"3.6.0"', allowed: 'one of 3.7.x, 3.7.x.kraft, 3.8.x' });
    expectPropError(() => build({ kafkaVersion: '4.0.x' }), { path, prop: 'kafkaVersion', value: '"4.0.x"', allowed: '4.0.x.kraft' });
  });

  test('zones: 2 or 3 (provisioned), at least 2 (serverless)', () => {
    expectPropError(() => build({}, false, 1), { path, prop: 'vpcSubnets', value: '"1 subnets in 1 zones"', allowed: '2 or 3 subnets in distinct Availability Zones' });
    expectPropError(() => build({ mode: KafkaClusterMode.SERVERLESS }, false, 1), { path, prop: 'vpcSubnets', allowed: 'at least 2 subnets' });
    const stack = testStack();
    const vpc = vpcOf(stack, 2);
    expectPropError(() => new KafkaCluster(stack, 'Kafka', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0], vpc.isolatedSubnets[0]] } }), {
      path, prop: 'vpcSubnets', allowed: 'in distinct Availability Zones',
    });
  });

  test('cluster name 1-64 characters starting with a letter; topic prefixes of grants 1-249 Kafka characters', () => {
    ok({ clusterName: `a${'b'.repeat(63)}` });
    expectPropError(() => build({ clusterName: `a${'b'.repeat(64)}` }), { path, prop: 'clusterName', allowed: '1-64 characters' });
    expectPropError(() => build({ clusterName: '1-bad' }), { path, prop: 'clusterName', value: '"1-bad"', allowed: 'starting with a letter' });
    const { stack, kafka } = build();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => kafka.grantConsume(role, 't'.repeat(249))).not.toThrow();
    expectPropError(() => kafka.grantConsume(role, 't'.repeat(250)), { path, prop: 'topicPrefix', allowed: '1-249 characters' });
    expectPropError(() => kafka.grantProduce(role, 'bad prefix'), { path, prop: 'topicPrefix', value: '"bad prefix"', allowed: 'a Kafka topic name prefix' });
  });

  test('serverless: broker sizing, a customer key and an alarm topic are refused', () => {
    const stack = testStack();
    const serverless = (props: Partial<KafkaClusterProps>) => () => build({ mode: KafkaClusterMode.SERVERLESS, ...props });
    expectPropError(serverless({ brokers: 3 }), { path, prop: 'brokers', value: '3', allowed: 'not set with MSK Serverless' });
    expectPropError(serverless({ kafkaVersion: '3.8.x' }), { path, prop: 'kafkaVersion', allowed: 'not set with MSK Serverless' });
    expectPropError(serverless({ encryptionKey: new kms.Key(stack, 'K') }), { path, prop: 'encryptionKey', value: '"given"', allowed: 'not set with MSK Serverless' });
    expectPropError(serverless({ alarmTopic: new sns.Topic(stack, 'T') }), { path, prop: 'alarmTopic', value: '"given"', allowed: 'not set with MSK Serverless' });
  });
});

test('KafkaCluster: sandbox mode destroys the cluster and the log group', () => {
  const { stack } = build({}, true);
  const t = Template.fromStack(stack);
  expect(Object.values(t.findResources('AWS::MSK::Cluster'))[0].DeletionPolicy).toBe('Delete');
  expect(Object.values(t.findResources('AWS::Logs::LogGroup')).map((g) => g.DeletionPolicy)).toContain('Delete');
});

test('KafkaCluster in an imported VPC with an imported key and alarm topic: nag clean in the four packs; warnings say what their policies need', () => {
  const stack = testStack();
  const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
  const alarmTopic = sns.Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:eu-west-1:${ACCOUNT}:ops`);
  new KafkaCluster(stack, 'Kafka', { vpc: importedVpc(stack), encryptionKey: key, alarmTopic });
  const annotations = Annotations.fromStack(stack);
  annotations.hasWarning('/TestStack/Kafka', Match.stringLikeRegexp('must allow logs.eu-west-1.amazonaws.com'));
  annotations.hasWarning('/TestStack/Ops', Match.stringLikeRegexp('must allow cloudwatch.amazonaws.com to sns:Publish'));
  expectNagClean(stack);
});

test('KafkaCluster: provisioned and serverless clusters in an imported VPC are nag clean in the four packs, with no acknowledgement', () => {
  const stack = testStack();
  new KafkaCluster(stack, 'Kafka', { vpc: importedVpc(stack) });
  new KafkaCluster(stack, 'Serverless', { vpc: importedVpc(stack), mode: KafkaClusterMode.SERVERLESS });
  const report = expectNagClean(stack);
  expect(report.acknowledged.filter((a) => a.path.startsWith('TestStack/Kafka') || a.path.startsWith('TestStack/Serverless'))).toEqual([]);
});
