import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { HsmCluster, HsmClusterProps, HsmType } from '../src';

function build(props: Partial<HsmClusterProps> = {}, maxAzs = 2) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
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
    const sg = Object.values(template.findResources('AWS::EC2::SecurityGroup'))[0].Properties;
    expect(sg.SecurityGroupIngress).toBeUndefined();
  });

  test('options and validation', () => {
    const { template } = build({ hsmType: HsmType.HSM1_MEDIUM, fips: false, backupRetention: Duration.days(7) });
    template.hasResourceProperties('AWS::CloudHSM::Cluster', { HsmType: 'hsm1.medium', Mode: 'NON_FIPS', BackupRetentionPolicy: { Value: '7' } });
    expectPropError(() => build({ backupRetention: Duration.days(400) }), { path: 'TestStack/Hsm', prop: 'backupRetention', value: '400 days', allowed: '7-379 days' });
    expectPropError(() => build({}, 1), { path: 'TestStack/Hsm', prop: 'vpcSubnets', value: '"1 subnets in 1 zones"', allowed: 'in at least two zones' });
  });

  test('cdk-nag clean', () => {
    expectNagClean(build().stack);
  });
});
