import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmrStep } from './emr-script';

/** Applications EMR installs on the cluster (names as EMR expects them). */
export enum EmrApplication {
  /** Hadoop (YARN, HDFS); always installed by EMR. */
  HADOOP = 'Hadoop',
  /** Apache Spark. */
  SPARK = 'Spark',
  /** Apache Hive. */
  HIVE = 'Hive',
  /** PrestoDB. Cannot be installed together with Trino. */
  PRESTO = 'Presto',
  /** Trino (formerly PrestoSQL). Cannot be installed together with PrestoDB. */
  TRINO = 'Trino',
  /** Apache Livy (REST interface to Spark). */
  LIVY = 'Livy',
}

/** An S3 location the cluster (EMRFS) may use: a bucket and optionally a key prefix. */
export interface S3Location {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix inside the bucket, without a leading `/` (e.g. `raw/weblogs/`).
   * @default - the whole bucket
   */
  readonly prefix?: string;
}

/** The master (primary) node fleet: exactly one on-demand instance. */
export interface MasterFleetOptions {
  /**
   * Instance types EMR may choose from (1-30, with the price-capacity-optimized
   * allocation strategy). The notes recommend m5.xlarge below 50 nodes.
   * @default ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge']
   */
  readonly instanceTypes?: string[];
}

/** The core node fleet: runs tasks and stores HDFS data, so always on-demand. */
export interface CoreFleetOptions {
  /**
   * Instance types EMR may choose from (1-30).
   * @default ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge']
   */
  readonly instanceTypes?: string[];
  /**
   * On-demand capacity in units (each instance type weighs 1 unit). 0 makes a
   * single-node cluster (master only), which cannot have task nodes.
   * @default 2
   */
  readonly onDemandCapacity?: number;
}

/**
 * The task node fleet: runs tasks, stores no HDFS data (no data loss when a node
 * is reclaimed), so it runs on Spot by default.
 */
export interface TaskFleetOptions {
  /**
   * Instance types EMR may choose from (1-30): more types mean more Spot pools.
   * @default ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge', 'r5.xlarge']
   */
  readonly instanceTypes?: string[];
  /**
   * Spot capacity in units.
   * @default 2
   */
  readonly spotCapacity?: number;
  /**
   * On-demand capacity in units, on top of the Spot capacity.
   * @default 0
   */
  readonly onDemandCapacity?: number;
  /**
   * How long EMR waits for Spot capacity at launch: 5 to 1,440 minutes.
   * @default Duration.minutes(10)
   */
  readonly spotTimeout?: Duration;
  /**
   * When Spot capacity is not available within `spotTimeout`: `true` switches
   * to on-demand (for SLA-bound jobs, as the notes advise), `false` terminates
   * the cluster (the job fails; cheapest).
   * @default true
   */
  readonly switchToOnDemand?: boolean;
}

/** EMR managed scaling limits, in instance fleet units. */
export interface ManagedScalingLimits {
  /** Lower bound of the cluster's capacity (core + task), at least 1. */
  readonly minimumCapacityUnits: number;
  /** Upper bound of the cluster's capacity (core + task). */
  readonly maximumCapacityUnits: number;
  /**
   * Upper bound of on-demand units; beyond it EMR scales with Spot.
   * @default - maximumCapacityUnits
   */
  readonly maximumOnDemandCapacityUnits?: number;
  /**
   * Upper bound of core units; beyond it EMR adds task units (scale-up adds core first, then task).
   * @default - maximumCapacityUnits
   */
  readonly maximumCoreCapacityUnits?: number;
}

/** Options of a cluster-dedicated Kerberos KDC. */
export interface KerberosOptions {
  /** Kerberos realm, upper case (e.g. `EC2.INTERNAL` or `ANALYTICS.EXAMPLE.COM`). */
  readonly realm: string;
  /**
   * Secret whose `SecretString` is the KDC administrator password. It is read by the
   * state machine at run time, so it never appears in the template or the definition.
   */
  readonly kdcAdminPassword: secretsmanager.ISecret;
  /**
   * Lifetime of Kerberos tickets.
   * @default Duration.hours(24)
   */
  readonly ticketLifetime?: Duration;
}

/** How users authenticate to the cluster nodes (cdk-nag EMR6: key pair or Kerberos). */
export class ClusterAuthentication {
  /** SSH with an existing EC2 key pair (no inbound SSH rule is opened: add one, or use SSM Session Manager). */
  public static keyPair(keyName: string): ClusterAuthentication {
    return new ClusterAuthentication(keyName, undefined);
  }

  /** Kerberos with a cluster-dedicated KDC (set in the security configuration). */
  public static kerberos(options: KerberosOptions): ClusterAuthentication {
    return new ClusterAuthentication(undefined, options);
  }

  private constructor(
    /** EC2 key pair name, for key-pair authentication. */
    public readonly keyName?: string,
    /** Kerberos options, for Kerberos authentication. */
    public readonly kerberosOptions?: KerberosOptions,
  ) {}
}

/** In-transit encryption (TLS between nodes, Spark, Hive, Presto/Trino). */
export interface InTransitEncryptionOptions {
  /**
   * Bucket holding a zip of PEM files (`privateKey.pem`, `certificateChain.pem`,
   * `trustedCertificates.pem`) that EMR installs on every node. For a lab, a
   * self-signed certificate for `*.<region>.compute.internal` works
   * (`openssl req -x509 -newkey rsa:2048 ...`); use your PKI in production.
   */
  readonly certificateBucket: s3.IBucket;
  /** Key of the zip file, e.g. `emr/certs/tls.zip`. */
  readonly certificateKey: string;
}

/** Props for {@link TransientEmrCluster}. */
export interface TransientEmrClusterProps {
  /** VPC of the cluster. Use private subnets with an S3 gateway endpoint (and KMS/Glue/STS endpoints or NAT). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets EMR may choose from (instance fleets pick one AZ from this list).
   * @default - the VPC's private subnets (isolated ones if there are no others)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The steps, run one after the other. At least one. */
  readonly steps: EmrStep[];
  /** How users authenticate to the nodes: key pair or Kerberos (cdk-nag EMR6). */
  readonly authentication: ClusterAuthentication;
  /** TLS certificates for in-transit encryption (cdk-nag EMR5). */
  readonly inTransitEncryption: InTransitEncryptionOptions;
  /**
   * Locations the job reads (EMRFS). Nothing else is readable: no full S3 access.
   * @default - none
   */
  readonly readLocations?: S3Location[];
  /**
   * Locations the job writes (EMRFS; also readable).
   * @default - none
   */
  readonly writeLocations?: S3Location[];
  /**
   * Cluster name shown in the EMR console (1-256 characters).
   * @default - the construct path
   */
  readonly clusterName?: string;
  /**
   * EMR release (`emr-x.y.z`, 6.4.0 or later for the auto-termination policy;
   * 5.34.0+ on 5.x).
   * @default 'emr-7.12.0'
   */
  readonly releaseLabel?: string;
  /**
   * Applications to install. Steps need their engine (Spark steps need SPARK, Hive steps HIVE).
   * @default [EmrApplication.SPARK] (plus HIVE if a Hive step is given)
   */
  readonly applications?: EmrApplication[];
  /**
   * Master fleet.
   * @default - see MasterFleetOptions
   */
  readonly master?: MasterFleetOptions;
  /**
   * Core fleet (on-demand).
   * @default - see CoreFleetOptions
   */
  readonly core?: CoreFleetOptions;
  /**
   * Task fleet (Spot).
   * @default - no task nodes
   */
  readonly task?: TaskFleetOptions;
  /**
   * EMR managed scaling limits (the notes' "instance fleets: no autoscaling" is out
   * of date: managed scaling supports instance fleets since EMR 5.30).
   * @default - no managed scaling: the fleets keep their target capacities
   */
  readonly managedScaling?: ManagedScalingLimits;
  /**
   * Idle time after which EMR terminates the cluster by itself: the second safety
   * net if the state machine cannot terminate it (execution stopped by hand). 1 minute to 7 days.
   * @default Duration.hours(1)
   */
  readonly idleTimeout?: Duration;
  /**
   * Maximum run time of each step; a step that runs longer is cancelled and the cluster terminated.
   * @default Duration.hours(6)
   */
  readonly stepTimeout?: Duration;
  /**
   * Key for EMRFS SSE-KMS (objects the job writes), local disks and EBS volumes, and the
   * state machine logs. Pass the data lake's key so written objects use the same key.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket that receives the cluster logs (under `emr-logs/`).
   * @default - a new SecureBucket
   */
  readonly logBucket?: s3.IBucket;
  /**
   * Topic notified (by the state machine) when the job fails.
   * @default - no notification (the execution still fails)
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Retention of the state machine's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
