import { expectNagClean, expectParameterUsed, expectPropError, numberParameter, testStack } from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudhsm from 'aws-cdk-lib/aws-cloudhsm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HsmCluster, HsmClusterProps, HsmType } from '../src';

/** An imported VPC with private subnets in `zones` Availability Zones (one each). */
function importedVpc(stack: Stack, zones = 2): ec2.IVpc {
  const azs = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].slice(0, zones);
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: azs,
    privateSubnetIds: azs.map((_, i) => `subnet-0000000000000000${i}`),
    privateSubnetRouteTableIds: azs.map((_, i) => `rtb-0000000000000000${i}`),
  });
}

function build(props: Partial<HsmClusterProps> = {}, zones = 2) {
  const stack = testStack();
  const vpc = importedVpc(stack, zones);
  const hsm = new HsmCluster(stack, 'Hsm', { vpc, ...props });
  return { stack, vpc, hsm, template: Template.fromStack(stack) };
}

describe('HsmCluster', () => {
  const { stack, hsm, template } = build();

  test('FIPS hsm2m.medium cluster over two zones, 90-day backups, retained, closed security group', () => {
    expect(template.toJSON().Resources[stack.getLogicalId(hsm.cluster)]).toEqual({
      Type: 'AWS::CloudHSM::Cluster',
      Properties: {
        HsmType: 'hsm2m.medium',
        Mode: 'FIPS',
        SubnetIds: ['subnet-00000000000000000', 'subnet-00000000000000001'],
        BackupRetentionPolicy: { Type: 'DAYS', Value: '90' },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0); // CloudHSM makes its own
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('the cluster keeps its logical id (a new id would replace the cluster and its keys)', () => {
    expect(stack.getLogicalId(hsm.cluster)).toBe('HsmCluster5A55A721');
  });

  test('it is an IConnectable: allowing a client adds ingress on 2223-2225 to the security group CloudHSM created', () => {
    const s = testStack();
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const cluster = new HsmCluster(s, 'Hsm', { vpc });
    const client: ec2.IConnectable = new ec2.SecurityGroup(s, 'Client', { vpc });
    cluster.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.5.0/24'), 'HSM client');
    const connectable: ec2.IConnectable = cluster;
    connectable.connections.allowDefaultPortFrom(client, 'HSM client group');
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [s.getLogicalId(cluster.cluster), 'SecurityGroup'] },
      CidrIp: '10.0.5.0/24',
      FromPort: 2223,
      ToPort: 2225,
      IpProtocol: 'tcp',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [s.getLogicalId(cluster.cluster), 'SecurityGroup'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [s.getLogicalId(client.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
      FromPort: 2223,
      ToPort: 2225,
    });
    // the cluster's subnets: one per zone of the VPC's isolated subnets
    expect(Object.values(t.findResources('AWS::CloudHSM::Cluster'))[0].Properties.SubnetIds).toHaveLength(2);
  });

  test('sandbox mode: DESTROY', () => {
    const s = testStack({ sandbox: true });
    new HsmCluster(s, 'Hsm', { vpc: importedVpc(s) });
    Template.fromStack(s).hasResource('AWS::CloudHSM::Cluster', { DeletionPolicy: 'Delete' });
  });

  test('options: non-FIPS on hsm2m.medium, previous generation in FIPS mode, 7-day backups', () => {
    build({ fips: false, backupRetention: Duration.days(7) }).template
      .hasResourceProperties('AWS::CloudHSM::Cluster', { HsmType: 'hsm2m.medium', Mode: 'NON_FIPS', BackupRetentionPolicy: { Value: '7' } });
    build({ hsmType: HsmType.HSM1_MEDIUM, backupRetention: Duration.days(379) }).template
      .hasResourceProperties('AWS::CloudHSM::Cluster', { HsmType: 'hsm1.medium', Mode: 'FIPS', BackupRetentionPolicy: { Value: '379' } });
  });

  test('token: the backup retention reaches the template as a string value', () => {
    const s = testStack();
    const c = new HsmCluster(s, 'Hsm', { vpc: importedVpc(s), backupRetention: Duration.days(numberParameter(s, 'Retention')) });
    const t = Template.fromStack(s);
    expectParameterUsed(t, 'Retention', /BackupRetentionPolicy\.Value/);
    expect(s.resolve((c.cluster.backupRetentionPolicy as cloudhsm.CfnCluster.BackupRetentionPolicyProperty).value)).toEqual({ Ref: 'Retention' });
  });

  test('validation: backups 7-379 whole days, one subnet per zone in two zones or more, non-FIPS only on hsm2m.medium', () => {
    expectPropError(() => build({ backupRetention: Duration.days(400) }), { path: 'TestStack/Hsm', prop: 'backupRetention', value: '400 days', allowed: '7-379 days' });
    expectPropError(() => build({ backupRetention: Duration.days(380) }), { path: 'TestStack/Hsm', prop: 'backupRetention', value: '380 days', allowed: '7-379 days' });
    expectPropError(() => build({ backupRetention: Duration.days(6) }), { path: 'TestStack/Hsm', prop: 'backupRetention', value: '6 days', allowed: '7-379 days' });
    expectPropError(() => build({ backupRetention: Duration.hours(36) }), { path: 'TestStack/Hsm', prop: 'backupRetention', value: '1.5 days', allowed: 'a whole number from 7 to 379 days' });
    expectPropError(() => build({}, 1), { path: 'TestStack/Hsm', prop: 'vpcSubnets', value: '"1 subnets in 1 zones"', allowed: 'in at least two zones' });
    expectPropError(() => build({ hsmType: HsmType.HSM1_MEDIUM, fips: false }), {
      path: 'TestStack/Hsm', prop: 'fips', value: '"false with hsm1.medium"', allowed: 'false with hsmType hsm2m.medium',
    });
    expectPropError(() => build({ hsmType: 'hsm3.large' as HsmType }), { path: 'TestStack/Hsm', prop: 'hsmType', value: '"hsm3.large"', allowed: 'one of hsm2m.medium, hsm1.medium' });
  });

  test('cdk-nag clean in all four packs with an imported VPC, no acknowledgement', () => {
    const s = testStack();
    new HsmCluster(s, 'Hsm', { vpc: importedVpc(s, 3) });
    expect(expectNagClean(s).acknowledged).toEqual([]);
  });
});
