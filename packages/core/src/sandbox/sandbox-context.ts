import { IConstruct } from 'constructs';
import { BudgetsLimits } from '../limits/budgets-limits';
import { ContextValues } from '../validation/context-values';
import { Limit } from '../validation/limit';
import { Validate } from '../validation/validate';

/**
 * Reads and checks the context flags of the sandbox lifetime. Context values are plain
 * strings (`-c key=value`) or JSON values (`cdk.json`), always known at synth time:
 * there is no token form of them.
 */

/** The range of the time-to-live: this library's own rule for labs, not an AWS limit. */
export const TTL_HOURS: Limit = { min: 1, max: 168, unit: 'hours', integer: true };

/** An e-mail address (no spaces or commas: the flag is a comma-separated list). */
export const EMAIL_PATTERN = '^[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+$';
const WHOLE = /^[0-9]+$/;

/**
 * The time-to-live in hours from the context value `value` of `key`, or undefined when the
 * flag is not set. Accepts a whole number (`4`, `"4"`) from `TTL_HOURS.min` to `TTL_HOURS.max`.
 */
export function ttlHoursFrom(scope: IConstruct, key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const hours = typeof value === 'number' ? value : (typeof value === 'string' && WHOLE.test(value.trim()) ? Number(value.trim()) : NaN);
  const allowed = `a whole number of hours from ${TTL_HOURS.min} to ${TTL_HOURS.max}`;
  Validate.that(scope, Number.isFinite(hours), { prop: key, value, allowed });
  Validate.number(scope, hours, { prop: key, ...TTL_HOURS });
  return hours;
}

/**
 * The budget in US dollars from the context value `value` of `key`, or undefined when the flag
 * is not set. Accepts a positive decimal number (`25`, `"25"`, `"12.50"`) written the way AWS
 * Budgets accepts amounts (digits and at most one dot).
 */
export function budgetUsdFrom(scope: IConstruct, key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  const allowed = 'an amount in US dollars above 0, written with digits and at most one dot (e.g. 25 or 12.50)';
  Validate.that(scope, typeof text === 'string' && new RegExp(BudgetsLimits.AMOUNT_PATTERN).test(text.trim()), { prop: key, value, allowed });
  const amount = Number((text as string).trim());
  Validate.that(scope, amount > 0, { prop: key, value, allowed });
  return amount;
}

/**
 * The e-mail addresses of the budget alerts: the context value `value` of `key` (a
 * comma-separated string or a list) when set, else `fallback`. Each must be an e-mail
 * address; at most `BudgetsLimits.EMAIL_SUBSCRIBERS_PER_NOTIFICATION.max`, no repeats.
 */
export function budgetEmailsFrom(scope: IConstruct, key: string, value: unknown, fallback: string[] = []): string[] {
  const emails = value === undefined ? fallback : ContextValues._parseList(scope, key, value, 'e-mail addresses')!;
  emails.forEach((e, i) => Validate.pattern(scope, value === undefined ? `budgetEmails[${i}]` : key, EMAIL_PATTERN, 'an e-mail address', e));
  const limit = BudgetsLimits.EMAIL_SUBSCRIBERS_PER_NOTIFICATION;
  Validate.count(scope, value === undefined ? 'budgetEmails' : key, 0, limit.max, emails);
  Validate.unique(scope, value === undefined ? 'budgetEmails' : key, emails);
  return emails;
}
