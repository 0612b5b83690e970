import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KafkaCluster, KafkaClusterMode, KafkaClusterProps } from '../src';

function build(props: Partial<KafkaClusterProps> = {}, sandbox = false, extra?: (stack: import('aws-cdk-lib').Stack, kafka: KafkaCluster) => void, maxAzs = 3) {
  const stack = testStack({ sandbox });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
  const kafka = new KafkaCluster(stack, 'Kafka', { vpc, ...props });
  extra?.(stack, kafka);
  return { stack, vpc, kafka, template: Template.fromStack(stack) };
}

describe('KafkaCluster', () => {
  test('provisioned: TLS everywhere, IAM auth only, CMK at rest, broker logs, enhanced monitoring, 3 brokers over 3 zones', () => {
    const { stack, kafka, template } = build({ allowedPeers: [ec2.Peer.ipv4('10.1.0.0/16')] });
    const cluster = Object.values(template.findResources('AWS::MSK::Cluster'))[0];
    expect(cluster.Properties).toMatchObject({
      KafkaVersion: '3.8.x',
      NumberOfBrokerNodes: 3,
      BrokerNodeGroupInfo: { InstanceType: 'kafka.m7g.large', StorageInfo: { EBSStorageInfo: { VolumeSize: 100 } } },
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: { 'Fn::GetAtt': [stack.getLogicalId(kafka.encryptionKey!.node.defaultChild as any), 'Arn'] } },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EnhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true } } },
    });
    expect(cluster.Properties.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(3);
    expect(cluster.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [{ CidrIp: '10.1.0.0/16', FromPort: 9098, ToPort: 9098 }] });
    // one alarm on the fullest broker: MAX over the per-broker metric (Cluster Name + Broker ID 1..3)
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0].Properties;
    expect(alarm.Threshold).toBe(80);
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([b1, b2, b3])');
    expect(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric)).toEqual([1, 2, 3].map((id) => ({
      Namespace: 'AWS/Kafka',
      MetricName: 'KafkaDataLogsDiskUsed',
      Dimensions: [{ Name: 'Broker ID', Value: String(id) }, { Name: 'Cluster Name', Value: kafka.clusterName }],
    })));
  });

  test('serverless: IAM authentication, no brokers to size, no customer key (service-managed), works over two zones', () => {
    const { template, kafka } = build({ mode: KafkaClusterMode.SERVERLESS }, false, undefined, 2);
    template.resourceCountIs('AWS::MSK::Cluster', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(kafka.encryptionKey).toBeUndefined();
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } });
  });

  test('grants: IAM access control actions scoped to the cluster and topic/group prefixes', () => {
    const { template: t } = build({ clusterName: 'orders' }, false, (stack, kafka) => {
      kafka.grantProduce(new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal() }), 'orders.');
    });
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('App'))!;
    const statement = policy.Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toEqual(['kafka-cluster:Connect', 'kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
    expect(statement.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^KafkaCluster/), 'Arn'] },
      'arn:aws:kafka:eu-west-1:123456789012:topic/orders/*/orders.*',
      'arn:aws:kafka:eu-west-1:123456789012:group/orders/*/orders.*',
    ]);
  });

  test('validation', () => {
    const path = 'TestStack/Kafka';
    expectPropError(() => build({ brokers: 4 }), { path, prop: 'brokers', value: '4', allowed: 'a multiple of the number of zones (3)' });
    expectPropError(() => build({ volumeSizeGiB: 20000 }), { path, prop: 'volumeSizeGiB', value: '20000 GiB', allowed: '1-16384 GiB' });
    expectPropError(() => build({ brokerInstanceType: 'm5.large' }), { path, prop: 'brokerInstanceType', value: '"m5.large"', allowed: 'an MSK broker type' });
    expectPropError(() => build({ mode: KafkaClusterMode.SERVERLESS, brokers: 3 }), { path, prop: 'brokers', value: '3', allowed: 'not set with MSK Serverless' });
    expectPropError(() => build({ brokers: 3 }, false, undefined, 2), { path, prop: 'brokers', value: '3', allowed: 'a multiple of the number of zones (2)' });
    expectPropError(() => build({ clusterName: '1-bad' }), { path, prop: 'clusterName', value: '"1-bad"', allowed: 'starting with a letter' });
  });

  test('sandbox mode and cdk-nag', () => {
    const { template } = build({}, true);
    expect(Object.values(template.findResources('AWS::MSK::Cluster'))[0].DeletionPolicy).toBe('Delete');
    expectNagClean(build().stack, AWS_SOLUTIONS_ONLY);
  });
});
