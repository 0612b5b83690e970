import { Limit, NameRule } from '../validation/limit';

/** Documented limits of AWS KMS that the library's constructs check at synth. */
export class KmsLimits {
  /**
   * Automatic rotation period of a symmetric key, in whole days (365 when not set).
   * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
   */
  public static readonly ROTATION_PERIOD_DAYS: Limit = { min: 90, max: 2560, unit: 'days', integer: true };

  /**
   * Waiting period between scheduling a key's deletion and its deletion, in whole days.
   * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
   */
  public static readonly PENDING_WINDOW_DAYS: Limit = { min: 7, max: 30, unit: 'days', integer: true };

  /**
   * Alias name with its `alias/` prefix: at most 256 characters of letters, digits, `/`,
   * `_`, `-` and `:`; the `alias/aws/` prefix is reserved for AWS managed keys.
   * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
   */
  public static readonly ALIAS_NAME: NameRule = {
    pattern: '^alias/[a-zA-Z0-9:/_-]+$',
    description: 'letters, digits, "/", "_", "-" and ":" after "alias/", not starting with "alias/aws/"',
    minLength: 7,
    maxLength: 256,
    reservedPrefixes: ['alias/aws/'],
  };

  /**
   * Key description length.
   * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
   */
  public static readonly DESCRIPTION_CHARS: Limit = { min: 0, max: 8192, unit: 'characters', integer: true };

  private constructor() {}
}
