import { PrivateSubnets, Sandbox, Validate } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as cloudhsm from 'aws-cdk-lib/aws-cloudhsm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** HSM types of AWS CloudHSM. */
export enum HsmType {
  /** Current generation. */
  HSM2M_MEDIUM = 'hsm2m.medium',
  /** Previous generation. */
  HSM1_MEDIUM = 'hsm1.medium',
}

/** Props for {@link HsmCluster}. */
export interface HsmClusterProps {
  /** VPC of the cluster. */
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
   * FIPS 140-3 level 3 validated mode (required by most regulated workloads).
   * @default true
   */
  readonly fips?: boolean;
  /**
   * How long backups are kept: 7 to 379 days.
   * @default Duration.days(90)
   */
  readonly backupRetention?: Duration;
}

/**
 * An AWS CloudHSM cluster (notes 6.2): single-tenant HSMs in your VPC where you alone
 * manage the keys (AWS only runs the hardware), spread over several Availability
 * Zones, in FIPS mode, with backups kept 90 days. CloudHSM creates the cluster's own
 * security group, which accepts no client traffic until you allow your HSM clients
 * (`connections.allowDefaultPortFrom(...)` adds ingress rules on ports 2223-2225 to it).
 *
 * Out of band, by design: adding HSMs to the cluster, initializing it (signing its
 * certificate signing request with your own CA), activating it and creating crypto
 * users. Typical analytics uses: a Redshift cluster with HSM encryption, a KMS custom
 * key store, or keys for client-side / SSE-C encryption of S3 objects.
 */
export class HsmCluster extends Construct {
  /** The cluster. */
  public readonly cluster: cloudhsm.CfnCluster;
  /** Connections to the HSMs through the cluster's own security group (ports 2223-2225). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: HsmClusterProps) {
    super(scope, id);
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc, true));
    const zones = new Set(subnets.availabilityZones).size;
    Validate.that(this, zones === subnets.subnets.length && zones >= 2, {
      prop: 'vpcSubnets',
      value: `${subnets.subnets.length} subnets in ${zones} zones`,
      allowed: 'one subnet per Availability Zone, in at least two zones',
    });
    const retention = props.backupRetention ?? Duration.days(90);
    Validate.integer(this, 'backupRetention', 7, 379, retention.toDays({ integral: false }), 'days');

    this.cluster = new cloudhsm.CfnCluster(this, 'Cluster', {
      hsmType: props.hsmType ?? HsmType.HSM2M_MEDIUM,
      mode: (props.fips ?? true) ? 'FIPS' : 'NON_FIPS',
      subnetIds: subnets.subnetIds,
      backupRetentionPolicy: { type: 'DAYS', value: String(retention.toDays()) },
    });
    this.cluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
    // CloudHSM creates the cluster's security group itself (no rules for clients until you add them).
    const clusterGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'ClusterSecurityGroup', this.cluster.attrSecurityGroup, { mutable: true });
    this.connections = new ec2.Connections({ securityGroups: [clusterGroup], defaultPort: ec2.Port.tcpRange(2223, 2225) });
  }
}
