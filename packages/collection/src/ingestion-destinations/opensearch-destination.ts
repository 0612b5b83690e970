import { FirehoseLimits, NagAcknowledgements, SizeUnit, TimeUnit, Validate } from '@analytics-patterns/core';
import { ArnFormat, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { DeliveryAlarm, IIngestionDestination, IngestionDestinationBindOptions, IngestionDestinationConfig } from './ingestion-destination';

/** How often Firehose starts a new index (it appends the date or hour to the index name). */
export enum IndexRotation {
  /** One index, never rotated. */
  NO_ROTATION = 'NoRotation',
  /** `<index>-YYYY-MM-DD-HH`. */
  ONE_HOUR = 'OneHour',
  /** `<index>-YYYY-MM-DD` (time-series data: drop old days by deleting whole indices). */
  ONE_DAY = 'OneDay',
  /** `<index>-YYYY-ww`. */
  ONE_WEEK = 'OneWeek',
  /** `<index>-YYYY-MM`. */
  ONE_MONTH = 'OneMonth',
}

/** Props for {@link OpenSearchDestination}. */
export interface OpenSearchDestinationProps {
  /** The OpenSearch Service domain (aws-cdk-lib `opensearch.Domain`, or imported). */
  readonly domain: opensearch.IDomain;

  /**
   * Index documents go to (before rotation): lower case, at most 80 characters, without
   * `\ / * ? " < > | , # :` or spaces, not starting with `_`, `-` or `+`.
   */
  readonly indexName: string;

  /**
   * Index rotation.
   * @default IndexRotation.ONE_DAY
   */
  readonly indexRotation?: IndexRotation;

  /**
   * How long Firehose buffers before a bulk request: 0 to 900 seconds.
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;

  /**
   * How much Firehose buffers before a bulk request: 1 to 100 MiB.
   * @default Size.mebibytes(5)
   */
  readonly bufferingSize?: Size;

  /**
   * How long Firehose retries a failed bulk request before it backs the documents up to S3:
   * 0 to 7,200 seconds.
   * @default Duration.seconds(300)
   */
  readonly retryDuration?: Duration;

  /**
   * Subnets of the domain's VPC where Firehose creates its network interfaces (VPC delivery).
   * @default - for a domain defined in this app, the subnets it is in when it is in a VPC;
   * otherwise none (a public domain endpoint)
   */
  readonly subnets?: ec2.ISubnet[];

  /**
   * Security groups of Firehose's network interfaces: they must reach the domain on HTTPS (443).
   * @default - with a domain defined in this app in a VPC, the domain's own security groups,
   * with a rule allowing HTTPS between their members; required with `subnets`
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** The subnets and security groups of a VPC delivery (internal). */
interface VpcDelivery {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

/**
 * Firehose delivery to an Amazon OpenSearch Service domain (notes 1.2: Firehose destinations;
 * 4.2: OpenSearch), for {@link StreamIngestion}'s `destination`:
 *
 * - bulk indexing into `indexName`, rotated daily by default;
 * - documents OpenSearch rejects (after `retryDuration`) go to the ingestion bucket under its
 *   `prefix` (S3 backup mode FailedDocumentsOnly), SSE-KMS with the construct's key;
 * - for a domain in a VPC, Firehose delivers through network interfaces in the domain's subnets
 *   and security groups (VPC delivery), with the EC2 permissions AWS documents for it
 *   (https://docs.aws.amazon.com/firehose/latest/APIReference/API_VpcConfiguration.html);
 * - the delivery role may post and put only to the domain's `_bulk` API and the index, and read
 *   the cluster state Firehose checks; alarms on freshness, failed deliveries and failed backups.
 *
 * The domain's access policy (and fine-grained access control's role mapping, if it is on) must
 * let the delivery role (`StreamIngestion.deliveryRole`) write: with no access policy, the
 * role's identity policy is enough in the same account.
 */
export class OpenSearchDestination implements IIngestionDestination {
  public readonly destinationName = 'OpenSearch';

  constructor(private readonly props: OpenSearchDestinationProps) {}

  public bind(scope: Construct, options: IngestionDestinationBindOptions): IngestionDestinationConfig {
    const checked = this.validate(scope);
    const vpc = this.vpcDelivery(scope);
    options.policy.addStatements(...this.domainStatements(scope, options.policy));
    if (vpc) options.policy.addStatements(...networkStatements(scope, vpc, options.policy));
    return {
      openSearch: {
        domainArn: this.props.domain.domainArn,
        indexName: this.props.indexName,
        indexRotationPeriod: this.props.indexRotation ?? IndexRotation.ONE_DAY,
        roleArn: options.role.roleArn,
        bufferingHints: { intervalInSeconds: checked.intervalSeconds, sizeInMBs: checked.sizeMib },
        retryOptions: { durationInSeconds: checked.retrySeconds },
        s3BackupMode: 'FailedDocumentsOnly',
        s3Configuration: options.s3Configuration,
        cloudWatchLoggingOptions: options.cloudWatchLoggingOptions,
        vpcConfiguration: vpc ? { roleArn: options.role.roleArn, ...vpc } : undefined,
      },
      alarms: this.alarms(scope, options.freshnessThresholdSeconds),
    };
  }

  private validate(scope: Construct) {
    Validate.resourceName(scope, 'destination.indexName', this.props.indexName, FirehoseLimits.OPENSEARCH_INDEX_NAME);
    Validate.that(scope, this.props.securityGroups === undefined || this.props.subnets !== undefined || domainVpc(this.props.domain) !== undefined, {
      prop: 'destination.securityGroups', value: 'given', allowed: 'only with subnets, or with a domain of this app in a VPC',
    });
    if (this.props.subnets) Validate.count(scope, 'destination.subnets', FirehoseLimits.VPC_SUBNETS.min, FirehoseLimits.VPC_SUBNETS.max, this.props.subnets);
    if (this.props.securityGroups) {
      Validate.count(scope, 'destination.securityGroups', FirehoseLimits.VPC_SECURITY_GROUPS.min, FirehoseLimits.VPC_SECURITY_GROUPS.max, this.props.securityGroups);
    }
    return {
      intervalSeconds: Validate.duration(scope, this.props.bufferingInterval ?? Duration.seconds(300), {
        prop: 'destination.bufferingInterval', in: TimeUnit.SECONDS, ...FirehoseLimits.OPENSEARCH_BUFFER_INTERVAL_SECONDS,
      })!,
      sizeMib: Validate.size(scope, this.props.bufferingSize ?? Size.mebibytes(5), {
        prop: 'destination.bufferingSize', in: SizeUnit.MEBIBYTES, ...FirehoseLimits.OPENSEARCH_BUFFER_SIZE_MIB,
      })!,
      retrySeconds: Validate.duration(scope, this.props.retryDuration ?? Duration.seconds(300), {
        prop: 'destination.retryDuration', in: TimeUnit.SECONDS, ...FirehoseLimits.RETRY_DURATION_SECONDS,
      })!,
    };
  }

  /** Subnets and security groups of the delivery, or undefined for a public domain. */
  private vpcDelivery(scope: Construct): VpcDelivery | undefined {
    const own = domainVpc(this.props.domain);
    if (this.props.subnets) {
      Validate.that(scope, this.props.securityGroups !== undefined || own !== undefined, {
        prop: 'destination.securityGroups', value: undefined, allowed: 'security groups that reach the domain on HTTPS, required with subnets of an imported domain',
      });
      return {
        subnetIds: this.props.subnets.map((s) => s.subnetId),
        securityGroupIds: this.props.securityGroups?.map((g) => g.securityGroupId) ?? own!.securityGroupIds,
      };
    }
    if (!own) return undefined;
    if (this.props.securityGroups) return { subnetIds: own.subnetIds, securityGroupIds: this.props.securityGroups.map((g) => g.securityGroupId) };
    // Firehose's interfaces join the domain's own security groups: members must reach each other on HTTPS
    const domain = this.props.domain;
    if (domain instanceof opensearch.Domain) domain.connections.allowInternally(ec2.Port.HTTPS, 'Firehose delivery to the domain (VPC delivery)');
    return own;
  }

  private domainStatements(scope: Construct, policy: iam.Policy): iam.PolicyStatement[] {
    const domainArn = this.props.domain.domainArn;
    const index = this.props.indexName;
    const reason = (what: string) => `Firehose ${what} of ${this.props.domain.node.path}: index names carry the rotation suffix Firehose appends, and node ids are the cluster's.`;
    const writes = [`${domainArn}/_bulk`, `${domainArn}/${index}*`];
    const reads = ['_all/_settings', '_cluster/stats', '_nodes', '_nodes/stats', '_nodes/*/stats', '_stats', `${index}*/_stats`].map((p) => `${domainArn}/${p}`);
    for (const arn of [...writes, ...reads].filter((a) => a.includes('*'))) {
      NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(scope, arn)}]`,
        reason('indexes documents into the rotated indices and reads the cluster and index statistics'));
    }
    return [
      new iam.PolicyStatement({ sid: 'DescribeDomain', actions: ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig'], resources: [domainArn] }),
      new iam.PolicyStatement({ sid: 'IndexDocuments', actions: ['es:ESHttpPost', 'es:ESHttpPut'], resources: writes }),
      new iam.PolicyStatement({ sid: 'ReadClusterState', actions: ['es:ESHttpGet'], resources: reads }),
    ];
  }

  private alarms(scope: Construct, freshnessSeconds: number): DeliveryAlarm[] {
    const path = scope.node.path;
    return [
      {
        id: 'DeliveryFreshnessAlarm',
        metricName: 'DeliveryToAmazonOpenSearchService.DataFreshness',
        statistic: 'Maximum',
        threshold: freshnessSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Data in ${path}'s Firehose is older than the freshness threshold before reaching OpenSearch.`,
      },
      {
        id: 'DeliveryFailureAlarm',
        metricName: 'DeliveryToAmazonOpenSearchService.Success',
        statistic: 'Minimum',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: `A bulk request from ${path}'s Firehose to OpenSearch failed; after the retry duration the documents go to the S3 backup prefix.`,
      },
      {
        id: 'BackupFailureAlarm',
        metricName: 'DeliveryToS3.Success',
        statistic: 'Minimum',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: `${path}'s Firehose could not back failed documents up to S3: they are at risk of being lost.`,
      },
    ];
  }
}

/** The VPC placement of a domain defined in this app (its L1's VPC options), if it has one. */
function domainVpc(domain: opensearch.IDomain): VpcDelivery | undefined {
  const cfn = domain.node.defaultChild;
  if (!(cfn instanceof opensearch.CfnDomain) || cfn.vpcOptions === undefined || Token.isUnresolved(cfn.vpcOptions)) return undefined;
  const options = cfn.vpcOptions as opensearch.CfnDomain.VPCOptionsProperty;
  if (!options.subnetIds || !options.securityGroupIds) return undefined;
  return { subnetIds: options.subnetIds, securityGroupIds: options.securityGroupIds };
}

/**
 * What Firehose needs to place its network interfaces in the domain's VPC (the EC2 actions AWS
 * lists for VPC delivery): describing the network, which supports no resource-level
 * permission, and creating and deleting interfaces, scoped to the delivery's subnets and
 * security groups and to network interfaces of this account and region.
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_VpcConfiguration.html
 */
function networkStatements(scope: Construct, vpc: VpcDelivery, policy: iam.Policy): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ec2', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const listed = (ids: string[], resource: string) => (Token.isUnresolved(ids) ? [ec2Arn(resource, '*')] : ids.map((i) => ec2Arn(resource, i)));
  const interfaces = ec2Arn('network-interface', '*');
  NagAcknowledgements.acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]',
    'EC2 Describe* actions (network lookups Firehose makes before placing its interfaces in the VPC) support no resource-level permissions.');
  NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(scope, interfaces)}]`,
    'Firehose creates and deletes its own network interfaces in the delivery subnets; their ids are generated, so the ARN ends with a wildcard (this account and region only).');
  for (const arn of [...listed(vpc.subnetIds, 'subnet'), ...listed(vpc.securityGroupIds, 'security-group')].filter((a) => a.endsWith('/*'))) {
    NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(scope, arn)}]`,
      'The delivery subnets or security groups are a token list here, so the interfaces may be placed in any of this account\'s.');
  }
  return [
    new iam.PolicyStatement({
      sid: 'DescribeDeliveryNetwork',
      actions: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CreateDeliveryInterfaces',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [...listed(vpc.subnetIds, 'subnet'), ...listed(vpc.securityGroupIds, 'security-group'), interfaces],
    }),
    new iam.PolicyStatement({
      sid: 'ManageDeliveryInterfaces',
      actions: ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface'],
      resources: [interfaces],
    }),
  ];
}

