import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HsmCluster, HsmClusterProps, HsmType } from '../src';

function build(props: Partial<HsmClusterProps> = {}, maxAzs = 2) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
  const hsm = new HsmCluster(stack, 'Hsm', { vpc, ...props });
  return { stack, vpc, hsm, template: Template.fromStack(stack) };
}

describe('HsmCluster', () => {
  test('FIPS hsm2m.medium cluster over two zones, 90-day backups, retained, closed security group', () => {
    const { template } = build();
    template.hasResource('AWS::CloudHSM::Cluster', {
      Properties: { HsmType: 'hsm2m.medium', Mode: 'FIPS', BackupRetentionPolicy: { Type: 'DAYS', Value: '90' } },
      DeletionPolicy: 'Retain',
    });
    expect(Object.values(template.findResources('AWS::CloudHSM::Cluster'))[0].Properties.SubnetIds).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0); // CloudHSM makes its own
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('allowing a client adds ingress on 2223-2225 to the security group CloudHSM created', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const hsm = new HsmCluster(stack, 'Hsm', { vpc });
    hsm.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.5.0/24'), 'HSM client');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(hsm.cluster), 'SecurityGroup'] },
      CidrIp: '10.0.5.0/24',
      FromPort: 2223,
      ToPort: 2225,
      IpProtocol: 'tcp',
    });
  });

  test('options and validation', () => {
    const { template } = build({ hsmType: HsmType.HSM1_MEDIUM, fips: false, backupRetention: Duration.days(7) });
    template.hasResourceProperties('AWS::CloudHSM::Cluster', { HsmType: 'hsm1.medium', Mode: 'NON_FIPS', BackupRetentionPolicy: { Value: '7' } });
    expectPropError(() => build({ backupRetention: Duration.days(400) }), { path: 'TestStack/Hsm', prop: 'backupRetention', value: '400 days', allowed: '7-379 days' });
    expectPropError(() => build({}, 1), { path: 'TestStack/Hsm', prop: 'vpcSubnets', value: '"1 subnets in 1 zones"', allowed: 'in at least two zones' });
  });

  test('cdk-nag clean', () => {
    expectNagClean(build().stack, AWS_SOLUTIONS_ONLY);
  });
});
