import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The default placement of this library's networked resources: private subnets only,
 * never public ones.
 */
export class PrivateSubnets {
  /**
   * Private subnets with egress (NAT) if the VPC has any, otherwise isolated subnets.
   * @param onePerAz pick one subnet per Availability Zone (for services that spread nodes over zones)
   */
  public static of(vpc: ec2.IVpc, onePerAz?: boolean): ec2.SubnetSelection {
    return {
      subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
      onePerAz: onePerAz ? true : undefined,
    };
  }

  private constructor() {}
}
