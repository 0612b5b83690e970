import { Limit, NameRule } from '../validation/limit';

/**
 * Limits of Amazon Data Firehose (delivery to S3, OpenSearch Service and Redshift) that
 * constructs check at synth time.
 *
 * Where the study notes differ: the buffer interval starts at 0 seconds (zero buffering)
 * for S3, OpenSearch and Redshift, not 60 seconds; dynamic partitioning still needs at
 * least 60 seconds and a 64 MiB buffer.
 */
export class FirehoseLimits {
  /**
   * Buffer interval of an S3 (or Redshift intermediate S3) destination, in seconds.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
   */
  public static readonly S3_BUFFER_INTERVAL_SECONDS: Limit = { min: 0, max: 900, unit: 'seconds', integer: true };

  /**
   * Buffer interval with dynamic partitioning, in seconds: zero buffering is not supported.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
   */
  public static readonly PARTITIONED_BUFFER_INTERVAL_SECONDS: Limit = { min: 60, max: 900, unit: 'seconds', integer: true };

  /**
   * Buffer size of an S3 (or Redshift intermediate S3) destination, in MiB.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
   */
  public static readonly S3_BUFFER_SIZE_MIB: Limit = { min: 1, max: 128, unit: 'MiB', integer: true };

  /**
   * Buffer size with dynamic partitioning or record format conversion, in MiB.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
   * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
   */
  public static readonly LARGE_BUFFER_SIZE_MIB: Limit = { min: 64, max: 128, unit: 'MiB', integer: true };

  /**
   * Buffer interval of an OpenSearch Service destination, in seconds.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_AmazonopensearchserviceBufferingHints.html
   */
  public static readonly OPENSEARCH_BUFFER_INTERVAL_SECONDS: Limit = { min: 0, max: 900, unit: 'seconds', integer: true };

  /**
   * Buffer size of an OpenSearch Service destination, in MiB.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_AmazonopensearchserviceBufferingHints.html
   */
  public static readonly OPENSEARCH_BUFFER_SIZE_MIB: Limit = { min: 1, max: 100, unit: 'MiB', integer: true };

  /**
   * How long Firehose retries a failed delivery (dynamic partitioning, OpenSearch, Redshift), in seconds.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_RetryOptions.html
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_AmazonopensearchserviceRetryOptions.html
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_RedshiftRetryOptions.html
   */
  public static readonly RETRY_DURATION_SECONDS: Limit = { min: 0, max: 7200, unit: 'seconds', integer: true };

  /**
   * Length of an S3 prefix or error output prefix, in characters.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_ExtendedS3DestinationConfiguration.html
   */
  public static readonly PREFIX_LENGTH: Limit = { min: 0, max: 1024, unit: 'characters', integer: true };

  /**
   * Keys of dynamic partitioning (partitionKeyFromQuery) per delivery stream.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
   */
  public static readonly PARTITION_KEYS: Limit = { min: 0, max: 50, unit: 'keys', integer: true };

  /**
   * Subnets of a delivery into a VPC (Firehose creates network interfaces in them).
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_VpcConfiguration.html
   */
  public static readonly VPC_SUBNETS: Limit = { min: 1, max: 16, unit: 'subnets', integer: true };

  /**
   * Security groups of a delivery into a VPC.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_VpcConfiguration.html
   */
  public static readonly VPC_SECURITY_GROUPS: Limit = { min: 1, max: 5, unit: 'security groups', integer: true };

  /**
   * Index name of an OpenSearch Service destination: at most 80 characters in the Firehose
   * API; OpenSearch itself wants lower case, no `\ / * ? " < > | , #` or spaces, and no
   * leading `_`, `-` or `+`. Firehose appends `-YYYY-MM-DD`-style suffixes when the index rotates.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_AmazonopensearchserviceDestinationConfiguration.html
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/indexing.html#indexing-naming
   */
  public static readonly OPENSEARCH_INDEX_NAME: NameRule = {
    pattern: '^[a-z0-9][^A-Z\\\\/*?"<>| ,#:]*$',
    description: 'lower-case, not starting with "_", "-" or "+", without \\ / * ? " < > | , # : or spaces',
    minLength: 1,
    maxLength: 80,
    reservedWords: ['.', '..'],
  };

  /**
   * Redshift table name in the COPY command (optionally `schema.table`).
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_CopyCommand.html
   * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
   */
  public static readonly REDSHIFT_TABLE_NAME: NameRule = {
    pattern: '^([A-Za-z_][A-Za-z0-9_$]*\\.)?[A-Za-z_][A-Za-z0-9_$]*$',
    description: 'a Redshift table name, optionally schema-qualified (letters, digits, "_" and "$", not starting with a digit)',
    minLength: 1,
    maxLength: 255,
  };

  /**
   * Redshift database name in the JDBC URL.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_RedshiftDestinationConfiguration.html
   * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
   */
  public static readonly REDSHIFT_DATABASE_NAME: NameRule = {
    pattern: '^[a-zA-Z0-9_$]+$', description: 'letters, digits, "_" and "$"', minLength: 1, maxLength: 64,
  };

  private constructor() {}
}
