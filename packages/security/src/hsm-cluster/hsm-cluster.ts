import { CloudHsmLimits, CustomerManagedPolicies, PrivateSubnets, Sandbox, TimeUnit, Validate } from '@analytics-patterns/core';
import { Duration, Token } from 'aws-cdk-lib';
import type * as cloudhsm from 'aws-cdk-lib/aws-cloudhsm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HsmClusterProps, HsmType } from './hsm-cluster-props';

/**
 * aws-cdk-lib's CloudHSM module, loaded when an HsmCluster is built rather than when the
 * package is imported: the rest of `@analytics-patterns/security` keeps working with an
 * aws-cdk-lib that predates `aws-cdk-lib/aws-cloudhsm` (2.268.0), and the failure, if any,
 * names the construct and the version it needs.
 */
function cloudHsmModule(scope: Construct): typeof cloudhsm {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('aws-cdk-lib/aws-cloudhsm');
  } catch {
    throw new Error(`[${scope.node.path}] HsmCluster needs aws-cdk-lib 2.268.0 or later (aws-cdk-lib/aws-cloudhsm); this app loads an older aws-cdk-lib.`);
  }
}

/** Ports of the HSMs that clients connect to. */
const HSM_PORTS = ec2.Port.tcpRange(2223, 2225);

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
 *
 * @see https://docs.aws.amazon.com/cloudhsm/latest/userguide/clusters.html
 */
export class HsmCluster extends Construct implements ec2.IConnectable {
  /** The cluster. */
  public readonly cluster: cloudhsm.CfnCluster;
  /** Connections to the HSMs through the cluster's own security group (ports 2223-2225). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: HsmClusterProps) {
    super(scope, id);
    const { subnetIds, retentionDays } = this.validate(props);
    // L1 on purpose: aws-cdk-lib has no CloudHSM L2.
    this.cluster = new (cloudHsmModule(this).CfnCluster)(this, 'Cluster', {
      hsmType: props.hsmType ?? HsmType.HSM2M_MEDIUM,
      mode: (props.fips ?? true) ? 'FIPS' : 'NON_FIPS',
      subnetIds,
      backupRetentionPolicy: { type: 'DAYS', value: Token.isUnresolved(retentionDays) ? Token.asString(retentionDays) : String(retentionDays) },
    });
    this.cluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
    this.connections = this.createConnections();
    CustomerManagedPolicies.apply(this);
  }

  private validate(props: HsmClusterProps): { subnetIds: string[]; retentionDays: number } {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc, true));
    const zones = new Set(subnets.availabilityZones).size;
    Validate.that(this, zones === subnets.subnets.length && zones >= 2, {
      prop: 'vpcSubnets',
      value: `${subnets.subnets.length} subnets in ${zones} zones`,
      allowed: 'one subnet per Availability Zone, in at least two zones',
    });
    Validate.oneOf(this, 'hsmType', Object.values(HsmType), props.hsmType);
    const hsmType = props.hsmType ?? HsmType.HSM2M_MEDIUM;
    Validate.that(this, (props.fips ?? true) || CloudHsmLimits.NON_FIPS_HSM_TYPES.includes(hsmType), {
      prop: 'fips',
      value: `false with ${hsmType}`,
      allowed: `true, or false with hsmType ${CloudHsmLimits.NON_FIPS_HSM_TYPES.join(' or ')}`,
      hint: 'CloudHSM runs non-FIPS clusters only on hsm2m.medium: see https://docs.aws.amazon.com/cloudhsm/latest/userguide/cluster-hsm-types.html',
    });
    const retentionDays = Validate.duration(this, props.backupRetention ?? Duration.days(90),
      { prop: 'backupRetention', in: TimeUnit.DAYS, ...CloudHsmLimits.BACKUP_RETENTION_DAYS })!;
    return { subnetIds: subnets.subnetIds, retentionDays };
  }

  /** The cluster's own security group (CloudHSM creates it; no rules for clients until you add them). */
  private createConnections(): ec2.Connections {
    const clusterGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'ClusterSecurityGroup', this.cluster.attrSecurityGroup, { mutable: true });
    return new ec2.Connections({ securityGroups: [clusterGroup], defaultPort: HSM_PORTS });
  }
}
