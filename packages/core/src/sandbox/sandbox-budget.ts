import { Stack, Tags, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';
import { EMAIL_PATTERN } from './sandbox-context';
import { BudgetsLimits } from '../limits/budgets-limits';
import { Validate } from '../validation/validate';

/** Props for {@link SandboxBudget}. */
export interface SandboxBudgetProps {
  /** The monthly budget in US dollars, above 0 (a token is passed through unchecked). */
  readonly amountUsd: number;
  /** Who receives the alerts: 1-10 e-mail addresses. */
  readonly emails: string[];
}

/** One alert of the budget: when, and compared with what. */
interface BudgetAlert {
  readonly type: 'ACTUAL' | 'FORECASTED';
  readonly percent: number;
}

/**
 * The alerts: half the budget actually spent, all of it actually spent, and all of it
 * forecast to be spent by the end of the month.
 */
const ALERTS: BudgetAlert[] = [
  { type: 'ACTUAL', percent: 50 },
  { type: 'ACTUAL', percent: 100 },
  { type: 'FORECASTED', percent: 100 },
];

const NAME_SUFFIX = '-sandbox';

/**
 * A monthly AWS Budgets cost budget scoped to one sandbox stack, with e-mail alerts. Built by
 * `SandboxLifetime`; read its docs for what must be activated in the billing console.
 *
 * The stack and every resource CloudFormation tags get the cost allocation tag
 * `analytics-patterns:sandbox-stack=<stack name>`; the budget counts only costs with that tag
 * (credits and refunds excluded, so credits do not hide a lab's spend).
 */
export class SandboxBudget extends Construct {
  /** The user-defined cost allocation tag key the budget filters on. */
  public static readonly COST_TAG_KEY = 'analytics-patterns:sandbox-stack';

  /** The budget. L1: aws-cdk-lib has no L2 for AWS Budgets. */
  public readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: SandboxBudgetProps) {
    super(scope, id);
    Validate.that(this, Token.isUnresolved(props.amountUsd) || props.amountUsd > 0, { prop: 'amountUsd', value: props.amountUsd, allowed: 'an amount in US dollars above 0' });
    Validate.count(this, 'emails', BudgetsLimits.EMAIL_SUBSCRIBERS_PER_NOTIFICATION.min, BudgetsLimits.EMAIL_SUBSCRIBERS_PER_NOTIFICATION.max, props.emails);
    props.emails.forEach((e, i) => Validate.pattern(this, `emails[${i}]`, EMAIL_PATTERN, 'an e-mail address', e));
    const stack = Stack.of(this);
    const name = this.budgetName(stack);
    Tags.of(stack).add(SandboxBudget.COST_TAG_KEY, stack.stackName);
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: name,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.amountUsd, unit: 'USD' },
        costTypes: { includeCredit: false, includeRefund: false },
        filterExpression: { tags: { key: SandboxBudget.COST_TAG_KEY, values: [stack.stackName], matchOptions: ['EQUALS'] } },
      },
      notificationsWithSubscribers: ALERTS.map((a) => ({
        notification: { notificationType: a.type, comparisonOperator: 'GREATER_THAN', threshold: a.percent, thresholdType: 'PERCENTAGE' },
        subscribers: props.emails.map((address) => ({ subscriptionType: 'EMAIL', address })),
      })),
    });
  }

  /**
   * `<stack name>-<region>-sandbox`: unique in the account, within the 100-character limit
   * (checked in full when the region is known, without the region's length otherwise).
   */
  private budgetName(stack: Stack): string {
    const name = `${stack.stackName}-${stack.region}${NAME_SUFFIX}`;
    const known = Token.isUnresolved(stack.region) ? `${stack.stackName}-${NAME_SUFFIX}` : name;
    Validate.resourceName(this, 'budget name (from the stack name)', known, BudgetsLimits.BUDGET_NAME);
    return name;
  }
}
