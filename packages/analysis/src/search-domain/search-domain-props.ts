import { SearchWorkload } from '@analytics-patterns/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as sns from 'aws-cdk-lib/aws-sns';

/** UltraWarm and cold storage tiers (notes 4.2, "Storage types"). */
export interface SearchStorageTiers {
  /**
   * UltraWarm nodes (S3-backed, cached): for indices with few writes such as logs.
   * Needs dedicated master nodes (always on here).
   * @default 0 (no UltraWarm)
   */
  readonly warmNodes?: number;
  /**
   * UltraWarm instance type.
   * @default 'ultrawarm1.medium.search'
   */
  readonly warmInstanceType?: string;
  /**
   * Cold storage (S3, for periodic or forensic analysis): needs UltraWarm, dedicated
   * master nodes, and data nodes that are not T2/T3.
   * @default false
   */
  readonly coldStorage?: boolean;
}

/** Props for {@link SearchDomain}. */
export interface SearchDomainProps {
  /** The VPC the domain lives in (no public endpoint). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets, one per Availability Zone used.
   * @default - the VPC's private subnets (with egress if any, else isolated), one per AZ
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Peers allowed to reach the domain on HTTPS (443).
   * @default - none (add with `domain.connections.allowDefaultPortFrom(...)`)
   */
  readonly allowedPeers?: ec2.IPeer[];
  /**
   * OpenSearch version.
   * @default EngineVersion.OPENSEARCH_2_19
   */
  readonly version?: opensearch.EngineVersion;
  /**
   * Availability Zones (zone awareness): 2 or 3. The data node count must be a multiple of it.
   * @default 3
   */
  readonly availabilityZoneCount?: number;
  /**
   * Data nodes.
   * @default 3 (the notes' recommendation: 3 data nodes)
   */
  readonly dataNodes?: number;
  /**
   * Data node instance type.
   * @default 'r7g.large.search'
   */
  readonly dataNodeInstanceType?: string;
  /**
   * Dedicated master nodes: 3 or 5. Two would risk split brain; three let a majority elect the leader.
   * @default 3
   */
  readonly masterNodes?: number;
  /**
   * Dedicated master instance type.
   * @default 'm7g.large.search'
   */
  readonly masterNodeInstanceType?: string;
  /**
   * Size EBS storage (and recommend a shard count) from the data the domain will hold,
   * with `SearchCapacity` (AWS's sizing formula).
   * @default - `volumeSizeGiB`
   */
  readonly workload?: SearchWorkload;
  /**
   * gp3 volume size per data node, GiB (ignored when `workload` is given).
   * @default 100
   */
  readonly volumeSizeGiB?: number;
  /**
   * UltraWarm and cold tiers.
   * @default - hot storage only
   */
  readonly storageTiers?: SearchStorageTiers;
  /**
   * Customer-managed key for encryption at rest and the log groups.
   * @default - a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * IAM role that is the fine-grained access control master user.
   * @default - a new role assumable by this account's administrators (account root principal)
   */
  readonly adminRole?: iam.IRole;
  /**
   * Topic for alarm notifications.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Domain name (3-28 characters: lower-case letters, digits and hyphens, starting with a letter).
   * @default - generated
   */
  readonly domainName?: string;
}
