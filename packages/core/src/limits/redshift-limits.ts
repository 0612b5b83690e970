import { RedshiftCapacity, RedshiftNodeType } from '../capacity/redshift-capacity';
import { Limit, NameRule } from '../validation/limit';

/**
 * Limits of Amazon Redshift provisioned clusters and Redshift Serverless (notes 4.4).
 */
export class RedshiftLimits {
  /**
   * Base capacity of a Serverless workgroup, RPUs: 4, or 8 to 512 in steps of 8, or (in the
   * Regions that offer it) 512 to 1,024 in steps of 32. See {@link RedshiftLimits.isValidBaseCapacity}.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html
   */
  public static readonly BASE_CAPACITY_RPU: Limit = { min: 4, max: 1024, unit: 'RPUs', integer: true };

  /**
   * Step of base capacity from 8 to 512 RPUs.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html
   */
  public static readonly BASE_CAPACITY_STEP = 8;

  /**
   * Largest base capacity reached in steps of {@link RedshiftLimits.BASE_CAPACITY_STEP}.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html
   */
  public static readonly BASE_CAPACITY_STEPPED_MAX = 512;

  /**
   * Step of base capacity above 512 RPUs (up to 1,024, in some Regions).
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html
   */
  public static readonly BASE_CAPACITY_LARGE_STEP = 32;

  /**
   * Ports RA3 clusters and Serverless workgroups accept (two ranges); 5439 is the default
   * port, which cdk-nag RS4 asks to avoid.
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   */
  public static readonly PORT_RANGES: Limit[] = [{ min: 5431, max: 5455, integer: true }, { min: 8191, max: 8215, integer: true }];

  /**
   * Redshift's default port.
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   */
  public static readonly DEFAULT_PORT = 5439;

  /**
   * Retention of automated snapshots, days (0 would turn them off, which this library does not allow).
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   */
  public static readonly SNAPSHOT_RETENTION_DAYS: Limit = { min: 1, max: 35, unit: 'days', integer: true };

  /**
   * Cluster identifier (and, in this library, Serverless namespace and workgroup name):
   * lower-case letters, digits and hyphens, starting with a letter, without two consecutive
   * hyphens or a trailing hyphen. Clusters allow 1-63 characters and Serverless names 3-64:
   * both hold with 3-63.
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   * @see https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html
   */
  public static readonly WAREHOUSE_NAME: NameRule = {
    pattern: '^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$',
    description: 'lower-case letters, digits and "-", starting with a letter, without "--" or a trailing "-"',
    minLength: 3,
    maxLength: 63,
  };

  /**
   * Name of the first database.
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   */
  public static readonly DATABASE_NAME: NameRule = {
    pattern: '^[a-z_][a-z0-9_$]*$', description: 'lower-case letters, digits, "_" and "$", starting with a letter or "_"', minLength: 1, maxLength: 64,
  };

  /**
   * Admin user name; `awsuser` is the default name (cdk-nag RS3) and the others are reserved.
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   * @see https://docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html
   */
  public static readonly ADMIN_USERNAME: NameRule = {
    pattern: '^[a-z][a-z0-9_]*$',
    description: 'lower-case letters, digits and "_", starting with a letter, other than awsuser (the default, cdk-nag RS3) and reserved names (admin, rdsadmin, postgres, public)',
    minLength: 1,
    maxLength: 128,
    reservedWords: ['awsuser', 'admin', 'rdsadmin', 'postgres', 'public'],
  };

  /**
   * Weekly maintenance window of a cluster (`ddd:hh24:mi-ddd:hh24:mi`, UTC).
   * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
   */
  public static readonly MAINTENANCE_WINDOW: NameRule = {
    pattern: '^(mon|tue|wed|thu|fri|sat|sun):([01]\\d|2[0-3]):[0-5]\\d-(mon|tue|wed|thu|fri|sat|sun):([01]\\d|2[0-3]):[0-5]\\d$',
    description: 'ddd:hh24:mi-ddd:hh24:mi (UTC), e.g. sun:03:00-sun:03:30',
  };

  /**
   * Statements in one Data API `BatchExecuteStatement` call.
   * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html
   */
  public static readonly DATA_API_BATCH_STATEMENTS = 40;

  /**
   * Size of one SQL statement sent through the Data API ("The maximum query statement size is
   * 100 KB"), counted as 100,000 UTF-8 bytes, the smaller reading of "KB".
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html
   */
  public static readonly DATA_API_STATEMENT_BYTES = 100_000;

  /**
   * How long a `ClientToken` given to `ExecuteStatement`/`BatchExecuteStatement` keeps a retried
   * call from running the statement twice (8 hours).
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html
   */
  public static readonly DATA_API_CLIENT_TOKEN_SECONDS = 8 * 3600;

  /**
   * Compute nodes a cluster of `nodeType` can be created with (the node type table of
   * {@link RedshiftCapacity}).
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info
   */
  public static nodes(nodeType: RedshiftNodeType): Limit {
    const d = RedshiftCapacity.nodeTypeDetails(nodeType);
    return { min: d.minNodes, max: d.maxNodes, unit: `nodes for ${nodeType}`, integer: true };
  }

  /** Whether `rpu` is a base capacity Serverless accepts (see {@link RedshiftLimits.BASE_CAPACITY_RPU}). */
  public static isValidBaseCapacity(rpu: number): boolean {
    const l = RedshiftLimits.BASE_CAPACITY_RPU;
    if (!Number.isInteger(rpu) || rpu < l.min || rpu > l.max) return false;
    if (rpu === l.min) return true;
    if (rpu <= RedshiftLimits.BASE_CAPACITY_STEPPED_MAX) return rpu % RedshiftLimits.BASE_CAPACITY_STEP === 0;
    return rpu % RedshiftLimits.BASE_CAPACITY_LARGE_STEP === 0;
  }

  private constructor() {}
}
