import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateSubnets } from '../src';

describe('PrivateSubnets', () => {
  test('private subnets with egress when the VPC has them, one per zone on request', () => {
    const vpc = new ec2.Vpc(new Stack(), 'Vpc');
    expect(PrivateSubnets.of(vpc, true)).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, onePerAz: true });
    expect(vpc.selectSubnets(PrivateSubnets.of(vpc)).subnets.every((s) => vpc.privateSubnets.includes(s))).toBe(true);
  });

  test('isolated subnets when the VPC has no NAT', () => {
    const vpc = new ec2.Vpc(new Stack(), 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(PrivateSubnets.of(vpc)).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: undefined });
  });
});
