import { Limit } from '../validation/limit';

/**
 * Limits of AWS Lambda functions and of Kinesis/DynamoDB stream event source mappings that
 * constructs check at synth time.
 */
export class LambdaLimits {
  /**
   * Memory of a function, in MiB.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   */
  public static readonly MEMORY_MIB: Limit = { min: 128, max: 10_240, unit: 'MiB', integer: true };

  /**
   * Timeout of a function, in seconds.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   */
  public static readonly TIMEOUT_SECONDS: Limit = { min: 1, max: 900, unit: 'seconds', integer: true };

  /**
   * Reserved concurrency of a function: a whole number from 0 (the function is throttled). The
   * upper bound is the account's concurrency quota less 100 unreserved executions, which is not
   * known at synth time, so it is not checked here.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  public static readonly RESERVED_CONCURRENCY: Limit = { min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'concurrent executions', integer: true };

  /**
   * Records per batch of a Kinesis event source mapping.
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  public static readonly KINESIS_BATCH_SIZE: Limit = { min: 1, max: 10_000, unit: 'records', integer: true };

  /**
   * Batching window of an event source mapping, in seconds.
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  public static readonly MAX_BATCHING_WINDOW_SECONDS: Limit = { min: 0, max: 300, unit: 'seconds', integer: true };

  /**
   * Concurrent batches per shard of a stream event source mapping.
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  public static readonly PARALLELIZATION_FACTOR: Limit = { min: 1, max: 10, unit: 'concurrent batches per shard', integer: true };

  /**
   * Retries of a failing batch of a stream event source mapping (-1, infinite, is AWS's default; this
   * library always bounds it).
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  public static readonly RETRY_ATTEMPTS: Limit = { min: 0, max: 10_000, unit: 'retries', integer: true };

  /**
   * Maximum record age of a stream event source mapping, in seconds (60 seconds to 7 days; -1,
   * infinite, is AWS's default).
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  public static readonly MAX_RECORD_AGE_SECONDS: Limit = { min: 60, max: 604_800, unit: 'seconds', integer: true };

  private constructor() {}
}
