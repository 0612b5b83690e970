import { Limit, NameRule } from '../validation/limit';
import { ScheduleRules } from '../validation/schedule';

/**
 * Names and limits of AWS Glue: the Data Catalog as Athena reads it (Glue accepts more
 * characters, but Athena lower-cases identifiers and reads only lower-case letters, digits and
 * `_`), and jobs, crawlers, triggers and workflows.
 */
export class GlueLimits {
  /**
   * Database name: 1-255 lower-case letters, digits and `_`.
   * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
   */
  public static readonly DATABASE_NAME: NameRule = {
    pattern: '^[a-z0-9_]+$',
    description: 'lower-case letters, digits and "_"',
    minLength: 1,
    maxLength: 255,
  };

  /**
   * Table name: 1-255 lower-case letters, digits and `_`.
   * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
   */
  public static readonly TABLE_NAME: NameRule = {
    pattern: '^[a-z0-9_]+$',
    description: 'lower-case letters, digits and "_"',
    minLength: 1,
    maxLength: 255,
  };

  /**
   * Prefix a crawler puts before the names of the tables it creates: lower-case letters,
   * digits and `_` (it becomes part of a table name), at most 128 characters.
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-crawling.html
   */
  public static readonly TABLE_PREFIX: NameRule = {
    pattern: '^[a-z0-9_]+$',
    description: 'lower-case letters, digits and "_"',
    minLength: 1,
    maxLength: 128,
  };

  /**
   * Name of a job, crawler, trigger, workflow or security configuration: 1-255 characters on
   * one line (Glue's "single-line string pattern"), not starting with white space.
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-common.html
   */
  public static readonly RESOURCE_NAME: NameRule = {
    pattern: '^[^\\s][^\\r\\n]*$',
    description: 'characters on one line, not starting with white space',
    minLength: 1,
    maxLength: 255,
  };

  /**
   * Security configuration name: 1-255 letters, digits, `_`, `.` and `-` (stricter than
   * Glue's single-line pattern: the name becomes part of CloudWatch log group names).
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-security.html
   */
  public static readonly SECURITY_CONFIGURATION_NAME: NameRule = {
    pattern: '^[\\w.-]{1,255}$',
    description: '1-255 letters, digits, "_", "." and "-"',
    minLength: 1,
    maxLength: 255,
  };

  /**
   * Schedules of crawlers and triggers: cron only, in UTC, at most every 5 minutes.
   * @see https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
   */
  public static readonly SCHEDULE: ScheduleRules = { allowRate: false, allowAt: false, minimumIntervalMinutes: 5, utcOnly: true };

  /**
   * S3 targets of one crawler. AWS documents no maximum; 100 is this library's bound (each
   * target adds two statements to the crawler's role policy, which IAM limits in size).
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-crawling.html
   */
  public static readonly CRAWLER_S3_TARGETS: Limit = { min: 1, max: 100, unit: 'targets', integer: true };

  /**
   * Spark workers of a G.1X job: at most 299.
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html
   */
  public static readonly WORKERS_G_1X: Limit = { min: 2, max: 299, unit: 'G.1X workers', integer: true };

  /**
   * Spark workers of a G.2X job: at most 149.
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html
   */
  public static readonly WORKERS_G_2X: Limit = { min: 2, max: 149, unit: 'G.2X workers', integer: true };

  /**
   * Spark workers of a G.4X job. AWS documents the maximum only for G.1X and G.2X; this
   * library allows the G.1X maximum and leaves the rest to the account's DPU quota.
   * @see https://docs.aws.amazon.com/glue/latest/dg/worker-types.html
   */
  public static readonly WORKERS_G_4X: Limit = { min: 2, max: 299, unit: 'G.4X workers', integer: true };

  /**
   * Spark workers of a G.8X job (see `WORKERS_G_4X`).
   * @see https://docs.aws.amazon.com/glue/latest/dg/worker-types.html
   */
  public static readonly WORKERS_G_8X: Limit = { min: 2, max: 299, unit: 'G.8X workers', integer: true };

  /**
   * Capacities of a Python shell job: 0.0625 (1/16) or 1 DPU.
   * @see https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html
   */
  public static readonly PYTHON_SHELL_CAPACITIES: number[] = [0.0625, 1];

  /**
   * Job run timeout: 1 minute to 7 days (10,080 minutes).
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html
   */
  public static readonly JOB_TIMEOUT_MINUTES: Limit = { min: 1, max: 10_080, unit: 'minutes', integer: true };

  /**
   * Retries of a failed job run: 0-10.
   * @see https://docs.aws.amazon.com/glue/latest/dg/add-job.html
   */
  public static readonly JOB_MAX_RETRIES: Limit = { min: 0, max: 10, integer: true };

  /**
   * Concurrent runs of a job or workflow. AWS documents a default quota rather than a bound;
   * 1,000 is this library's upper bound.
   * @see https://docs.aws.amazon.com/glue/latest/dg/add-job.html
   */
  public static readonly MAX_CONCURRENT_RUNS: Limit = { min: 1, max: 1000, integer: true };

  /**
   * Glue versions of Spark jobs this library writes scripts for.
   * @see https://docs.aws.amazon.com/glue/latest/dg/release-notes.html
   */
  public static readonly SPARK_GLUE_VERSIONS: string[] = ['3.0', '4.0', '5.0'];

  /**
   * Glue versions of Python shell jobs (Python 3.9 runs on Glue 3.0).
   * @see https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html
   */
  public static readonly PYTHON_SHELL_GLUE_VERSIONS: string[] = ['3.0'];

  /**
   * Column (and partition key) name: lower-case letters, digits and `_`, starting with a
   * letter or `_`, at most 255 characters.
   * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
   */
  public static readonly COLUMN_NAME: NameRule = {
    pattern: '^[a-z_][a-z0-9_]*$',
    description: 'lower-case letters, digits and "_", starting with a letter or "_"',
    minLength: 1,
    maxLength: 255,
  };

  /**
   * Columns of a table. Glue limits a table's metadata (about 1 MB gzip-compressed) rather
   * than its column count; 10,000 is this library's bound below that.
   * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
   */
  public static readonly COLUMNS: Limit = { min: 1, max: 10000, unit: 'columns', integer: true };

  /**
   * Values of an enum partition projection: AWS documents no count, only the ~1 MB table
   * metadata limit they share with the rest of the table; 10,000 is this library's bound.
   * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
   */
  public static readonly ENUM_PROJECTION_VALUES: Limit = { min: 1, max: 10000, unit: 'values', integer: true };

  /**
   * Digits of an integer partition projection (values are Java longs: at most 19 digits).
   * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
   */
  public static readonly INTEGER_PROJECTION_DIGITS: Limit = { min: 1, max: 19, integer: true };

  /**
   * Bounds of an integer partition projection. Athena accepts Java longs (-2^63 to 2^63-1);
   * numbers in this library are JavaScript numbers, exact only within +-(2^53-1).
   * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
   */
  public static readonly INTEGER_PROJECTION_VALUE: Limit = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true };

  /**
   * Interval of an integer or date partition projection: a positive whole number.
   * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
   */
  public static readonly PROJECTION_INTERVAL: Limit = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };

  /**
   * Description of a database, table or partition.
   * @see https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
   */
  public static readonly DESCRIPTION_CHARS: Limit = { min: 0, max: 2048, unit: 'characters', integer: true };

  /**
   * Comment of a column.
   * @see https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html
   */
  public static readonly COLUMN_COMMENT_CHARS: Limit = { min: 0, max: 255, unit: 'characters', integer: true };

  /**
   * Key of a table (or SerDe) parameter.
   * @see https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
   */
  public static readonly PARAMETER_KEY_CHARS: Limit = { min: 1, max: 255, unit: 'characters', integer: true };

  /**
   * Value of a table (or SerDe) parameter.
   * @see https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
   */
  public static readonly PARAMETER_VALUE_CHARS: Limit = { min: 0, max: 512000, unit: 'characters', integer: true };

  private constructor() {}
}
