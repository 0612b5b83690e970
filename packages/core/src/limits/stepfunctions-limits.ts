import { Limit, NameRule } from '../validation/limit';

/** Limits of AWS Step Functions state machines that the constructs of this library build. */
export class StepFunctionsLimits {
  /**
   * A state name this library derives from a user's name (for example an EMR step name): at
   * most 80 characters, and only letters, digits, `-` and `_`. Step Functions rejects white
   * space, brackets, wildcards and several punctuation marks in names of its history events,
   * and CloudWatch Logs only handles names made of these characters.
   * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateExitedEventDetails.html
   */
  public static readonly STATE_NAME: NameRule = {
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'letters, digits, "-" and "_"',
    minLength: 1,
    maxLength: 80,
  };

  /**
   * Retries of a Retry rule after the first attempt (`MaxAttempts`; 0 turns retries off).
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
   */
  public static readonly RETRY_MAX_ATTEMPTS: Limit = { min: 0, max: 99_999_999, unit: 'retries', integer: true };

  /**
   * Wait before the first retry (`IntervalSeconds`): a positive whole number of seconds.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
   */
  public static readonly RETRY_INTERVAL_SECONDS: Limit = { min: 1, max: 99_999_999, unit: 'seconds', integer: true };

  /**
   * Multiplier of the wait between retries (`BackoffRate`). AWS documents only the minimum
   * (1.0); 10 is this library's upper bound (at 10 the third retry already waits 100 times
   * the first interval).
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
   */
  public static readonly RETRY_BACKOFF_RATE: Limit = { min: 1, max: 10 };

  /**
   * Timeout of a Task state (`TimeoutSeconds`): a positive whole number of seconds, at most
   * the one-year duration of a Standard workflow execution.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  public static readonly TASK_TIMEOUT_SECONDS: Limit = { min: 1, max: 31_536_000, unit: 'seconds', integer: true };

  /**
   * Events in one Standard execution's history (25,000). An execution that would write more
   * fails, so every loop of a state machine must be bounded below it.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  public static readonly HISTORY_EVENTS = 25_000;

  /**
   * Size of a state's input, output, result or assigned variables, in UTF-8 bytes (256 KiB).
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  public static readonly STATE_PAYLOAD_BYTES = 256 * 1024;

  private constructor() {}
}
