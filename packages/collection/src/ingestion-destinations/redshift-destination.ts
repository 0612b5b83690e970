import { FirehoseLimits, NagAcknowledgements, TimeUnit, Validate } from '@analytics-patterns/core';
import { Annotations, CfnMapping, Duration, IResolvable, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { DeliveryAlarm, IIngestionDestination, IngestionDestinationBindOptions, IngestionDestinationConfig } from './ingestion-destination';

/**
 * The CIDR block Firehose connects to Redshift from, per region: a cluster or workgroup must
 * allow it on its port (and be publicly accessible).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
 */
const FIREHOSE_REDSHIFT_CIDRS: Record<string, string> = {
  'us-east-2': '13.58.135.96/27',
  'us-east-1': '52.70.63.192/27',
  'us-west-1': '13.57.135.192/27',
  'us-west-2': '52.89.255.224/27',
  'us-gov-east-1': '18.253.138.96/27',
  'us-gov-west-1': '52.61.204.160/27',
  'ca-central-1': '35.183.92.128/27',
  'af-south-1': '13.244.121.224/27',
  'ap-east-1': '18.162.221.32/27',
  'ap-south-1': '13.232.67.32/27',
  'ap-northeast-1': '13.113.196.224/27',
  'ap-northeast-2': '13.209.1.64/27',
  'ap-northeast-3': '13.208.177.192/27',
  'ap-southeast-1': '13.228.64.192/27',
  'ap-southeast-2': '13.210.67.224/27',
  'ap-southeast-3': '108.136.221.64/27',
  'eu-central-1': '35.158.127.160/27',
  'eu-west-1': '52.19.239.192/27',
  'eu-west-2': '18.130.1.96/27',
  'eu-west-3': '35.180.1.96/27',
  'eu-south-1': '15.161.135.128/27',
  'eu-north-1': '13.53.63.224/27',
  'me-south-1': '15.185.91.0/27',
  'sa-east-1': '18.228.1.128/27',
  'cn-north-1': '52.81.151.32/27',
  'cn-northwest-1': '161.189.23.64/27',
};

/** Where a Redshift endpoint is and whether Firehose can reach it. */
export interface RedshiftEndpointAttributes {
  /** Host name of the cluster or workgroup endpoint. */
  readonly hostname: string;
  /**
   * Port.
   * @default 5439
   */
  readonly port?: number;
  /** Whether the endpoint is publicly accessible: Firehose reaches Redshift only through a public endpoint. */
  readonly publiclyAccessible: boolean;
}

/**
 * A Redshift provisioned cluster or Serverless workgroup that Firehose loads into. Firehose
 * connects from AWS-owned addresses (one CIDR block per region), so the endpoint must be
 * publicly accessible and its security group must allow that block on the port; a private
 * warehouse (such as this library's RedshiftWarehouse, never publicly accessible) cannot be a
 * Firehose destination, and binding one fails at synth.
 */
export class RedshiftEndpoint {
  /** A provisioned cluster defined in this app (its `PubliclyAccessible` is read: unset means not). */
  public static fromCluster(cluster: redshift.CfnCluster): RedshiftEndpoint {
    return new RedshiftEndpoint(cluster.attrEndpointAddress, Token.asNumber(cluster.attrEndpointPort), cluster.publiclyAccessible, cluster.node.path);
  }

  /** A Serverless workgroup defined in this app (its `PubliclyAccessible` is read: unset means not). */
  public static fromServerlessWorkgroup(workgroup: rss.CfnWorkgroup): RedshiftEndpoint {
    const { attrWorkgroupEndpointAddress: host, attrWorkgroupEndpointPort: port } = workgroup;
    return new RedshiftEndpoint(host, port, workgroup.publiclyAccessible, workgroup.node.path);
  }

  /** An endpoint defined elsewhere: you state whether it is publicly accessible. */
  public static fromAttributes(attributes: RedshiftEndpointAttributes): RedshiftEndpoint {
    return new RedshiftEndpoint(attributes.hostname, attributes.port ?? 5439, attributes.publiclyAccessible, attributes.hostname);
  }

  /** Host name of the endpoint. */
  public readonly hostname: string;
  /** Port. */
  public readonly port: number;
  /** What the endpoint is, for messages. */
  public readonly description: string;
  private readonly publicAccess?: boolean | IResolvable;

  private constructor(hostname: string, port: number, publicAccess: boolean | IResolvable | undefined, description: string) {
    this.hostname = hostname;
    this.port = port;
    this.publicAccess = publicAccess;
    this.description = description;
  }

  /** Whether Firehose can reach the endpoint: true, false, or undefined when it is a token. */
  public get reachable(): boolean | undefined {
    if (this.publicAccess === undefined) return false;
    if (typeof this.publicAccess === 'boolean') return this.publicAccess;
    return undefined;
  }
}

/** Props for {@link RedshiftDestination}. */
export interface RedshiftDestinationProps {
  /** The cluster or workgroup. */
  readonly endpoint: RedshiftEndpoint;
  /** Database of the table. */
  readonly database: string;
  /** Table the COPY command loads (optionally `schema.table`). */
  readonly tableName: string;
  /**
   * Columns of the table the records fill, in the COPY column list.
   * @default - every column, in table order
   */
  readonly columns?: string[];
  /**
   * COPY options. With GZIP compression of the staged files (StreamIngestion's default),
   * `GZIP` is appended when missing.
   * @default "JSON 'auto'"
   */
  readonly copyOptions?: string;
  /**
   * Secret holding the database user Firehose connects as (JSON with `username` and `password`).
   * Grant that user INSERT on the table, nothing more.
   */
  readonly credentials: secretsmanager.ISecret;
  /**
   * How long Firehose retries a failed COPY: 0 to 7,200 seconds.
   * @default Duration.seconds(3600)
   */
  readonly retryDuration?: Duration;
  /**
   * Security group of the cluster or workgroup: an ingress rule from this region's Firehose CIDR
   * block on the endpoint port is added to it.
   * @default - none added (a warning says which block to allow)
   */
  readonly securityGroup?: ec2.ISecurityGroup;
}

/**
 * Firehose delivery to Amazon Redshift (notes 1.2: Firehose destinations; 4.4: Redshift), for
 * {@link StreamIngestion}'s `destination`:
 *
 * - Firehose stages records as files in the ingestion bucket under its `prefix` (the
 *   intermediate S3 bucket, SSE-KMS) and runs COPY into `tableName`, connecting with the user in
 *   `credentials` (Secrets Manager) and reading the staged files with the delivery role's
 *   temporary credentials;
 * - reachability is checked at synth: the endpoint must be publicly accessible (Firehose
 *   connects from its regional CIDR block), or binding fails with the reason and the
 *   alternatives (Redshift streaming ingestion from the Kinesis stream, or COPY from the lake);
 * - alarms on staging freshness, failed COPYs and failed staging.
 */
export class RedshiftDestination implements IIngestionDestination {
  /**
   * The CIDR block Firehose connects from in `scope`'s region (a CloudFormation mapping lookup
   * when the region is a token).
   */
  public static firehoseCidr(scope: IConstruct): string {
    const stack = Stack.of(scope);
    if (!Token.isUnresolved(stack.region)) {
      const cidr = FIREHOSE_REDSHIFT_CIDRS[stack.region];
      if (cidr === undefined) throw new Error(`Firehose publishes no Redshift CIDR block for region ${stack.region} (${Object.keys(FIREHOSE_REDSHIFT_CIDRS).join(', ')})`);
      return cidr;
    }
    const id = 'FirehoseRedshiftCidrs';
    const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined)
      ?? new CfnMapping(stack, id, { mapping: Object.fromEntries(Object.entries(FIREHOSE_REDSHIFT_CIDRS).map(([r, c]) => [r, { cidr: c }])) });
    return mapping.findInMap(stack.region, 'cidr');
  }

  public readonly destinationName = 'Redshift';

  constructor(private readonly props: RedshiftDestinationProps) {}

  public bind(scope: Construct, options: IngestionDestinationBindOptions): IngestionDestinationConfig {
    const retrySeconds = this.validate(scope, options);
    this.allowFirehose(scope);
    options.policy.addStatements(...this.secretStatements());
    const compressed = options.s3Configuration.compressionFormat === 'GZIP';
    const copyOptions = this.props.copyOptions ?? "JSON 'auto'";
    return {
      redshift: {
        clusterJdbcurl: `jdbc:redshift://${this.props.endpoint.hostname}:${Tokenization.stringifyNumber(this.props.endpoint.port)}/${this.props.database}`,
        copyCommand: {
          dataTableName: this.props.tableName,
          dataTableColumns: this.props.columns?.join(','),
          copyOptions: compressed && !/\bgzip\b/i.test(copyOptions) ? `${copyOptions} GZIP` : copyOptions,
        },
        roleArn: options.role.roleArn,
        s3Configuration: options.s3Configuration,
        secretsManagerConfiguration: { enabled: true, secretArn: this.props.credentials.secretArn, roleArn: options.role.roleArn },
        retryOptions: { durationInSeconds: retrySeconds },
        s3BackupMode: 'Disabled',
        cloudWatchLoggingOptions: options.cloudWatchLoggingOptions,
      } satisfies firehose.CfnDeliveryStream.RedshiftDestinationConfigurationProperty,
      alarms: this.alarms(scope, options.freshnessThresholdSeconds),
    };
  }

  private validate(scope: Construct, options: IngestionDestinationBindOptions): number {
    const reachable = this.props.endpoint.reachable;
    Validate.that(scope, reachable !== false, {
      prop: 'destination.endpoint',
      value: `${this.props.endpoint.description} (not publicly accessible)`,
      allowed: 'a publicly accessible Redshift cluster or Serverless workgroup whose security group allows the Firehose CIDR block of the region',
      hint: 'Firehose connects to Redshift from AWS-owned addresses, never through a VPC. For a private warehouse (such as RedshiftWarehouse) '
        + 'use Redshift streaming ingestion from the Kinesis stream, or deliver to S3 and COPY from there (StagingUpsert).',
    });
    if (reachable === undefined) {
      Annotations.of(scope).addWarningV2('@analytics-patterns/collection:RedshiftReachability',
        `Whether ${this.props.endpoint.description} is publicly accessible is only known at deploy time: Firehose can load into it only if it is.`);
    }
    const compression = options.s3Configuration.compressionFormat;
    Validate.that(scope, compression === undefined || Token.isUnresolved(compression) || ['UNCOMPRESSED', 'GZIP'].includes(compression), {
      prop: 'compression', value: compression, allowed: 'UNCOMPRESSED or GZIP with a Redshift destination (COPY reads no other Firehose compression)',
    });
    Validate.resourceName(scope, 'destination.tableName', this.props.tableName, FirehoseLimits.REDSHIFT_TABLE_NAME);
    Validate.resourceName(scope, 'destination.database', this.props.database, FirehoseLimits.REDSHIFT_DATABASE_NAME);
    (this.props.columns ?? []).forEach((c, i) => Validate.pattern(scope, `destination.columns[${i}]`, '^[A-Za-z_][A-Za-z0-9_$]*$', 'a Redshift column name', c));
    if (this.props.columns) Validate.unique(scope, 'destination.columns', this.props.columns);
    return Validate.duration(scope, this.props.retryDuration ?? Duration.seconds(3600), {
      prop: 'destination.retryDuration', in: TimeUnit.SECONDS, ...FirehoseLimits.RETRY_DURATION_SECONDS,
    })!;
  }

  /** The ingress rule for Firehose's CIDR block, or a warning saying which one to add. */
  private allowFirehose(scope: Construct): void {
    const cidr = RedshiftDestination.firehoseCidr(scope);
    const port = this.props.endpoint.port;
    if (this.props.securityGroup) {
      // L1 on purpose: addIngressRule() adds nothing to an immutable imported group; this rule always exists, in this construct
      const ingress = new ec2.CfnSecurityGroupIngress(scope, 'FirehoseToRedshift', {
        groupId: this.props.securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIp: cidr,
        description: 'Amazon Data Firehose delivery to Redshift (the regional Firehose CIDR block)',
      });
      if (Token.isUnresolved(cidr)) {
        // environment-agnostic stack: the open-ingress rules cannot evaluate Fn::FindInMap and report an error instead
        const reason = 'The source is this region\'s Firehose CIDR block (a /27 of AWS-owned addresses) from a CloudFormation mapping, '
          + 'which the rule cannot evaluate; only the Redshift port is opened to it, never 0.0.0.0/0 and never SSH.';
        NagAcknowledgements.acknowledge(ingress, 'AwsSolutions-EC23', reason);
        NagAcknowledgements.acknowledgeCompliance(ingress, 'EC2RestrictedCommonPorts', reason);
        NagAcknowledgements.acknowledgeCompliance(ingress, 'EC2RestrictedSSH', reason);
      }
    } else {
      Annotations.of(scope).addWarningV2('@analytics-patterns/collection:FirehoseRedshiftIngress',
        `Allow the Firehose CIDR block of the region (${Token.isUnresolved(cidr) ? 'see the Firehose documentation' : cidr}) on port ${Tokenization.stringifyNumber(port)} in ${this.props.endpoint.description}'s security group, or set securityGroup.`);
    }
  }

  /** Reading the credentials secret (and decrypting it through Secrets Manager when it has a key). */
  private secretStatements(): iam.PolicyStatement[] {
    const secret = this.props.credentials;
    const statements = [new iam.PolicyStatement({ sid: 'ReadRedshiftCredentials', actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] })];
    if (secret.encryptionKey) {
      statements.push(new iam.PolicyStatement({
        sid: 'DecryptRedshiftCredentials',
        actions: ['kms:Decrypt'],
        resources: [secret.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(secret).region}.amazonaws.com` } },
      }));
    }
    return statements;
  }

  private alarms(scope: Construct, freshnessSeconds: number): DeliveryAlarm[] {
    const path = scope.node.path;
    return [
      {
        id: 'DeliveryFreshnessAlarm',
        metricName: 'DeliveryToS3.DataFreshness',
        statistic: 'Maximum',
        threshold: freshnessSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Data in ${path}'s Firehose is older than the freshness threshold before it is staged for COPY into Redshift.`,
      },
      {
        id: 'DeliveryFailureAlarm',
        metricName: 'DeliveryToRedshift.Success',
        statistic: 'Minimum',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: `A COPY from ${path}'s Firehose into Redshift failed (see SYS_LOAD_ERROR_DETAIL, or STL_LOAD_ERRORS on a provisioned cluster); after the retry duration the manifest goes to the error prefix.`,
      },
      {
        id: 'StagingFailureAlarm',
        metricName: 'DeliveryToS3.Success',
        statistic: 'Minimum',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: `${path}'s Firehose could not stage files in S3 for the Redshift COPY.`,
      },
    ];
  }
}
