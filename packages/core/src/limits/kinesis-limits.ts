import { Limit, NameRule } from '../validation/limit';

/**
 * Limits of Amazon Kinesis Data Streams that constructs check at synth time.
 *
 * Where the study notes differ: retention is 24 hours to 365 days (8,760 hours), not
 * "1-7 days" or "1-35 days"; a record's 1 MiB includes its partition key.
 */
export class KinesisLimits {
  /**
   * Retention period of a stream, in hours: 24 (default) to 8,760 (365 days).
   * @see https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
   */
  public static readonly RETENTION_HOURS: Limit = { min: 24, max: 8760, unit: 'hours', integer: true };

  /**
   * Shards of a provisioned stream (the account quota is lower by default and can be raised).
   * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
   */
  public static readonly SHARDS: Limit = { min: 1, max: 100_000, unit: 'shards', integer: true };

  /**
   * Name of a stream: 1-128 characters, letters, digits, `_`, `.` and `-`.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
   */
  public static readonly STREAM_NAME: NameRule = {
    pattern: '^[a-zA-Z0-9_.-]+$', description: 'letters, digits, "_", "." and "-"', minLength: 1, maxLength: 128,
  };

  /**
   * Name of an enhanced fan-out consumer: 1-128 characters, letters, digits, `_`, `.` and `-`.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html
   */
  public static readonly CONSUMER_NAME: NameRule = {
    pattern: '^[a-zA-Z0-9_.-]+$', description: 'letters, digits, "_", "." and "-"', minLength: 1, maxLength: 128,
  };

  private constructor() {}
}
