import { Limit, NameRule } from '../validation/limit';

/**
 * AWS Budgets limits the sandbox budget checks at synth time.
 */
export class BudgetsLimits {
  /**
   * E-mail subscribers of one budget notification (a notification also takes one SNS
   * subscriber, which this library does not use).
   * @see https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html
   */
  public static readonly EMAIL_SUBSCRIBERS_PER_NOTIFICATION: Limit = { min: 1, max: 10, unit: 'e-mail addresses', integer: true };

  /**
   * A budget's amount: a decimal number written with digits and at most one dot (no sign,
   * no exponent), which the construct also requires to be above zero.
   * @see https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Spend.html
   */
  public static readonly AMOUNT_PATTERN = '^([0-9]*\\.)?[0-9]+$';

  /**
   * A budget's name: 1-100 characters, unique in the account, without `:` or `\`.
   * @see https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html
   */
  public static readonly BUDGET_NAME: NameRule = {
    pattern: '^[^:\\\\]+$',
    description: 'any characters but ":" and "\\"',
    minLength: 1,
    maxLength: 100,
  };

  private constructor() {}
}
