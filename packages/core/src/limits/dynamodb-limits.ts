import { Limit, NameRule } from '../validation/limit';

/** Documented limits of Amazon DynamoDB tables and their auto scaling. */
export class DynamoDbLimits {
  /**
   * Point-in-time recovery window, in whole days.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html
   */
  public static readonly PITR_RECOVERY_PERIOD_DAYS: Limit = { min: 1, max: 35, unit: 'days', integer: true };

  /**
   * Target utilization of auto scaling's target-tracking policy.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
   */
  public static readonly TARGET_UTILIZATION_PERCENT: Limit = { min: 20, max: 90, unit: 'percent' };

  /**
   * Table name: 3-255 letters, digits, `_`, `-` and `.`.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
   */
  public static readonly TABLE_NAME: NameRule = {
    pattern: '^[a-zA-Z0-9_.-]+$',
    description: 'letters, digits, "_", "-" and "."',
    minLength: 3,
    maxLength: 255,
  };

  /**
   * Name of a key attribute (and of the TTL attribute): 1-255 characters.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
   */
  public static readonly KEY_ATTRIBUTE_NAME: NameRule = { pattern: '^[\\s\\S]+$', description: 'any characters', minLength: 1, maxLength: 255 };

  /**
   * Item size in KB (1 KB = 1,024 bytes), as the capacity formulas take it.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
   */
  public static readonly ITEM_SIZE_KB: Limit = { min: 0, max: 400, unit: 'KB' };

  /**
   * Provisioned read (or write) capacity units of one table: the default, adjustable quota
   * of 40,000 per table. Above it CloudFormation fails unless the quota was raised.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
   */
  public static readonly TABLE_CAPACITY_UNITS_DEFAULT_QUOTA = 40000;

  /**
   * Maximum of auto scaling as a multiple of the computed capacity: a bound of this library.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
   */
  public static readonly AUTO_SCALING_MULTIPLIER: Limit = { min: 1, max: 100 };

  private constructor() {}
}
