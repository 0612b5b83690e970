import { Limit, NameRule } from '../validation/limit';

/**
 * Amazon SQS limits that constructs check at synth time.
 *
 * The notes (1.3) give a 3-day default retention and 256 KB messages: AWS's default
 * retention is 4 days, and since 2025 a message can be up to 1 MiB (256 KiB stays the
 * default maximum of a new queue).
 */
export class SqsLimits {
  /**
   * How long a queue keeps a message: 60 seconds to 14 days.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
   */
  public static readonly RETENTION_SECONDS: Limit = { min: 60, max: 1_209_600, unit: 'seconds', integer: true };

  /**
   * How long a received message stays hidden from other consumers: 0 to 12 hours.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
   */
  public static readonly VISIBILITY_TIMEOUT_SECONDS: Limit = { min: 0, max: 43_200, unit: 'seconds', integer: true };

  /**
   * Largest message a queue accepts: 1,024 bytes to 1 MiB.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
   */
  public static readonly MESSAGE_SIZE_BYTES: Limit = { min: 1_024, max: 1_048_576, unit: 'bytes', integer: true };

  /**
   * Long-polling wait of ReceiveMessage: 0 to 20 seconds.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
   */
  public static readonly RECEIVE_WAIT_SECONDS: Limit = { min: 0, max: 20, unit: 'seconds', integer: true };

  /**
   * How long SQS reuses a data key before calling KMS again: 1 minute to 24 hours.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
   */
  public static readonly DATA_KEY_REUSE_SECONDS: Limit = { min: 60, max: 86_400, unit: 'seconds', integer: true };

  /**
   * Receives of a message before SQS moves it to the dead-letter queue: 1 to 1,000.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html
   */
  public static readonly MAX_RECEIVE_COUNT: Limit = { min: 1, max: 1_000, integer: true };

  /**
   * The suffix every FIFO queue name ends with (it counts towards the 80 characters).
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html
   */
  public static readonly FIFO_SUFFIX = '.fifo';

  /**
   * Name of a standard queue: up to 80 letters, digits, hyphens and underscores.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
   */
  public static readonly QUEUE_NAME: NameRule = {
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'letters, digits, "-" and "_" (a standard queue name does not end with .fifo)',
    maxLength: 80,
  };

  /**
   * Name of a FIFO queue: up to 80 characters including the `.fifo` suffix.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html
   */
  public static readonly FIFO_QUEUE_NAME: NameRule = {
    pattern: '^[A-Za-z0-9_-]+\\.fifo$',
    description: 'letters, digits, "-" and "_" ending with .fifo',
    maxLength: 80,
  };

  private constructor() {}
}
