import { Limit, NameRule } from '../validation/limit';

/**
 * Limits of Amazon Athena workgroups and named queries (notes 4.3).
 */
export class AthenaLimits {
  /**
   * Per-query data usage control (`BytesScannedCutoffPerQuery`), bytes: at least 10 MB
   * (10,000,000 bytes; Athena also bills at least 10 MB per query).
   * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
   */
  public static readonly BYTES_SCANNED_CUTOFF: Limit = { min: 10_000_000, max: Number.MAX_SAFE_INTEGER, unit: 'bytes', integer: true };

  /**
   * Period of a per-workgroup data usage control: Athena aggregates scanned bytes per hour
   * up to per day (a CloudWatch alarm period of whole minutes).
   * @see https://docs.aws.amazon.com/athena/latest/ug/workgroups-setting-control-limits-cloudwatch.html
   */
  public static readonly DATA_USAGE_PERIOD_MINUTES: Limit = { min: 60, max: 1440, unit: 'minutes', integer: true };

  /**
   * Workgroup name.
   * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html
   */
  public static readonly WORKGROUP_NAME: NameRule = { pattern: '^[a-zA-Z0-9._-]{1,128}$', description: '1-128 letters, digits, ".", "_" and "-"' };

  /**
   * Named query name.
   * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateNamedQuery.html
   */
  public static readonly NAMED_QUERY_NAME: NameRule = { pattern: '^[\\s\\S]+$', description: 'a name', minLength: 1, maxLength: 128 };

  /**
   * SQL text of a named query, bytes (UTF-8).
   * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateNamedQuery.html
   */
  public static readonly QUERY_STRING_BYTES: Limit = { min: 1, max: 262_144, unit: 'bytes', integer: true };

  /**
   * Named query description.
   * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateNamedQuery.html
   */
  public static readonly NAMED_QUERY_DESCRIPTION: NameRule = { pattern: '^[\\s\\S]+$', description: 'a description', minLength: 1, maxLength: 1024 };

  /**
   * Database a named query runs in (a Glue database name: lower-case in the Data Catalog).
   * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
   */
  public static readonly DATABASE_NAME: NameRule = { pattern: '^[a-z0-9_]+$', description: 'lower-case letters, digits and "_"', minLength: 1, maxLength: 255 };

  /**
   * Workgroup description.
   * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html
   */
  public static readonly WORKGROUP_DESCRIPTION: NameRule = { pattern: '^[\\s\\S]*$', description: 'a description', minLength: 0, maxLength: 1024 };

  private constructor() {}
}
