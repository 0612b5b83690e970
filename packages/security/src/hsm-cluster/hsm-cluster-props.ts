import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** HSM types of AWS CloudHSM. */
export enum HsmType {
  /** Current generation (FIPS or non-FIPS mode). */
  HSM2M_MEDIUM = 'hsm2m.medium',
  /** Previous generation (FIPS mode only). */
  HSM1_MEDIUM = 'hsm1.medium',
}

/** Props for {@link HsmCluster}. */
export interface HsmClusterProps {
  /** VPC of the cluster (created in this app or imported). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets, one per Availability Zone (at least two for high availability).
   * @default - the VPC's private subnets, one per zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * HSM type.
   * @default HsmType.HSM2M_MEDIUM
   */
  readonly hsmType?: HsmType;
  /**
   * FIPS 140-3 level 3 validated mode (required by most regulated workloads). The mode cannot
   * be changed after creation; non-FIPS mode needs `HsmType.HSM2M_MEDIUM`.
   * @default true
   */
  readonly fips?: boolean;
  /**
   * How long backups are kept: a whole number of days from 7 to 379 (a token must be given in
   * days, `Duration.days(param.valueAsNumber)`).
   * @default Duration.days(90)
   */
  readonly backupRetention?: Duration;
}
