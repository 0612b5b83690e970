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
   * UltraWarm instance type: `ultrawarm1.medium.search` (up to 1.5 TiB each) or
   * `ultrawarm1.large.search` (up to 20 TiB each).
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
   * Subnets to place the domain in. The domain gets exactly one subnet in each of the first
   * `availabilityZoneCount` zones of this selection (OpenSearch needs one subnet per zone
   * used); the selection must cover that many zones.
   * @default - the VPC's private subnets (with egress if any, else isolated)
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
   * Availability Zones (zone awareness): 2 or 3. The data node count must be a multiple of
   * it. Must be known at synth time (it decides how many subnets the domain gets).
   * @default 3
   */
  readonly availabilityZoneCount?: number;
  /**
   * Data nodes: 1-1,002 (the default quota is 80 instances per domain), a multiple of
   * `availabilityZoneCount`; at most 10 with T2 data nodes or T2/T3 master nodes.
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
   * with `SearchCapacity` (AWS's sizing formula). Values must be known at synth time; the
   * computed volume per data node must fit the instance type's EBS limit.
   * @default - `volumeSizeGiB`
   */
  readonly workload?: SearchWorkload;
  /**
   * gp3 volume size per data node, GiB (ignored when `workload` is given): at least 10, at
   * most the instance type's gp3 limit (24 TiB for the largest types).
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
   * @default - a new `AdministratorRole` that only `adminAssumerArns` may assume, or, when none
   *   are named, principals of this account tagged `analytics-patterns:search-admin` = `true`
   *   (`SearchDomain.ADMIN_TAG`); never the whole account
   */
  readonly adminRole?: iam.IRole;
  /**
   * Who may assume the master role the construct creates (IAM role or user ARNs of this
   * account, matched by `aws:PrincipalArn`). Not with `adminRole`.
   * @default - principals of this account tagged `analytics-patterns:search-admin` = `true`
   */
  readonly adminAssumerArns?: string[];
  /**
   * Topic every alarm notifies (ALARM and OK).
   * @default - a new encrypted topic (`alarmTopic`), so no alarm notifies nobody
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Domain name (3-28 characters: lower-case letters, digits and hyphens, starting with a letter).
   * @default - generated
   */
  readonly domainName?: string;
}
