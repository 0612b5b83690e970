import { Duration, Size, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IConstruct } from 'constructs';
import { Limit, NameRule } from './limit';
import { ScheduleRules, scheduleProblem } from './schedule';
import { durationIn, factoryFor, SizeUnit, sizeIn, TimeUnit } from './units';
import { InvalidPropOptions, PropValidationError } from './validation-error';

/** A range check of one prop: the prop's name, and the limit (or any closed range). */
export interface RangeCheck extends Limit {
  /** The prop's name as the user wrote it, e.g. `bufferingInterval` or `alarms.iteratorAge`. */
  readonly prop: string;
  /**
   * A sentence after the range: why the rule exists or how to fix the value.
   * @default - none
   */
  readonly hint?: string;
}

/** A range check of a `Duration` prop, in the unit the construct renders it in. */
export interface DurationCheck extends RangeCheck {
  /** The unit the construct converts the duration to (and `min`/`max` are in). */
  readonly in: TimeUnit;
}

/** A range check of a `Size` prop, in the unit the construct renders it in. */
export interface SizeCheck extends RangeCheck {
  /** The unit the construct converts the size to (and `min`/`max` are in). */
  readonly in: SizeUnit;
}

/**
 * The check of a range/name method: optional in the signature only because jsii allows no
 * required parameter after the optional value; always given in practice.
 */
function required<T>(check: T | undefined): T {
  if (check === undefined) throw new Error('Validate: the check (limit or rule) is required');
  return check;
}

/** Whether a number is a value CDK encoded from a token (or garbage computed from one). */
function unresolvedNumber(n: number): boolean {
  return Token.isUnresolved(n);
}

/**
 * Synth-time prop checks shared by every construct. Each check throws a
 * {@link PropValidationError} naming the construct path, prop, value and allowed range.
 * Unresolved tokens are skipped: they are only known at deploy time.
 */
export class Validate {
  /**
   * Checks that `value` (if given and resolved) is within `check.min`-`check.max`, and a
   * whole number when `check.integer`. Tokens pass unchecked (CloudFormation resolves them).
   */
  public static number(scope: IConstruct, value?: number, check?: RangeCheck): void {
    check = required(check);
    if (value === undefined || unresolvedNumber(value)) return;
    const unit = check.unit ? ` ${check.unit}` : '';
    if (check.integer && !Number.isInteger(value)) {
      throw new PropValidationError({
        scope, prop: check.prop, value: `${value}${unit}`, allowed: `a whole number from ${check.min} to ${check.max}${unit}`, hint: check.hint,
      });
    }
    if (!Number.isFinite(value) || value < check.min || value > check.max) {
      throw new PropValidationError({ scope, prop: check.prop, value: `${value}${unit}`, allowed: `${check.min}-${check.max}${unit}`, hint: check.hint });
    }
  }

  /**
   * Converts a `Duration` prop to `check.in` (the unit the template needs) and checks its
   * range. A duration that is not a whole number of that unit (when `check.integer`), or
   * out of range, fails with the prop's name; a token duration must be given in that unit
   * (e.g. `Duration.seconds(param.valueAsNumber)`) and is returned unchecked.
   * @returns the value in `check.in`, or undefined when `value` is undefined
   */
  public static duration(scope: IConstruct, value?: Duration, check?: DurationCheck): number | undefined {
    check = required(check);
    if (value === undefined) return undefined;
    let amount: number;
    try {
      amount = durationIn(value, check.in);
    } catch {
      throw new PropValidationError({
        scope,
        prop: check.prop,
        value: value.toString(),
        allowed: `a duration in ${check.in} when it is a token (${factoryFor(check.in)})`,
        hint: check.hint,
      });
    }
    if (value.isUnresolved()) return amount;
    Validate.number(scope, amount, { ...check, unit: check.unit ?? check.in });
    return amount;
  }

  /**
   * Converts a `Size` prop to `check.in` and checks its range, like {@link Validate.duration}.
   * @returns the value in `check.in`, or undefined when `value` is undefined
   */
  public static size(scope: IConstruct, value?: Size, check?: SizeCheck): number | undefined {
    check = required(check);
    if (value === undefined) return undefined;
    let amount: number;
    try {
      amount = sizeIn(value, check.in);
    } catch {
      throw new PropValidationError({
        scope,
        prop: check.prop,
        value: 'a token Size',
        allowed: `a size in ${check.in} when it is a token (${factoryFor(check.in)})`,
        hint: check.hint,
      });
    }
    if (value.isUnresolved()) return amount;
    Validate.number(scope, amount, { ...check, unit: check.unit ?? check.in });
    return amount;
  }

  /**
   * Checks a resource name against a service's naming rule (pattern, length, reserved
   * prefixes, suffixes and words). Names that contain tokens pass unchecked.
   */
  public static resourceName(scope: IConstruct, prop: string, value?: string, rule?: NameRule): void {
    rule = required(rule);
    if (value === undefined || Token.isUnresolved(value)) return;
    const min = rule.minLength ?? 1;
    const lengthText = rule.maxLength !== undefined ? `, ${min}-${rule.maxLength} characters` : '';
    const fail = (why: string) => {
      throw new PropValidationError({ scope, prop, value, allowed: `${rule.description}${lengthText}`, hint: why });
    };
    if (value.length < min || (rule.maxLength !== undefined && value.length > rule.maxLength)) fail(`It has ${value.length} characters.`);
    if (!new RegExp(rule.pattern).test(value)) fail('');
    const lower = value.toLowerCase();
    const prefix = (rule.reservedPrefixes ?? []).find((p) => lower.startsWith(p.toLowerCase()));
    if (prefix !== undefined) fail(`The prefix "${prefix}" is reserved by the service.`);
    const suffix = (rule.reservedSuffixes ?? []).find((p) => lower.endsWith(p.toLowerCase()));
    if (suffix !== undefined) fail(`The suffix "${suffix}" is reserved by the service.`);
    if ((rule.reservedWords ?? []).some((w) => w.toLowerCase() === lower)) fail('It is a reserved word.');
  }

  /**
   * Checks an EventBridge Scheduler expression (cron fields, rate units, minimum interval,
   * IANA time zone) against what the service running it accepts.
   */
  public static schedule(scope: IConstruct, prop: string, value?: scheduler.ScheduleExpression, rules: ScheduleRules = {}): void {
    if (value === undefined || Token.isUnresolved(value.expressionString)) return;
    const zone = value.timeZone?.timezoneName;
    const problem = scheduleProblem(value.expressionString, zone !== undefined && !Token.isUnresolved(zone) ? zone : undefined, rules);
    if (problem !== undefined) {
      const allowed = [
        'cron(minutes hours day-of-month month day-of-week year)',
        ...(rules.allowRate ?? true ? ['rate(n minutes|hours|days)'] : []),
        ...(rules.allowAt ? ['at(yyyy-mm-ddThh:mm:ss)'] : []),
      ].join(' or ');
      throw new PropValidationError({
        scope, prop, value: zone ? `${value.expressionString} in ${zone}` : value.expressionString, allowed, hint: `${problem[0].toUpperCase()}${problem.slice(1)}.`,
      });
    }
  }

  /** Checks that `value` (if given) is one of `allowed`. */
  public static oneOf(scope: IConstruct, prop: string, allowed: string[], value?: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!allowed.includes(value)) {
      throw new PropValidationError({ scope, prop, value, allowed: `one of ${allowed.join(', ')}` });
    }
  }

  /**
   * Checks that `value` (if given) matches the regular expression `pattern` (source text);
   * `description` explains the pattern to the user.
   */
  public static pattern(scope: IConstruct, prop: string, pattern: string, description: string, value?: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!new RegExp(pattern).test(value)) {
      throw new PropValidationError({ scope, prop, value, allowed: description });
    }
  }

  /** Checks that a list (if given) has between `min` and `max` entries. */
  public static count(scope: IConstruct, prop: string, min: number, max: number, value?: any[]): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (value.length < min || value.length > max) {
      throw new PropValidationError({ scope, prop, value, allowed: min === max ? `exactly ${min} entries` : `${min}-${max} entries` });
    }
  }

  /** Checks that a list has no repeated entries. */
  public static unique(scope: IConstruct, prop: string, value?: string[]): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const seen = new Set<string>();
    for (const v of value) {
      if (Token.isUnresolved(v)) continue;
      if (seen.has(v)) {
        throw new PropValidationError({ scope, prop, value, allowed: `distinct entries (${JSON.stringify(v)} appears more than once)` });
      }
      seen.add(v);
    }
  }

  /** Throws unless `condition` holds; for rules that relate several props. */
  public static that(scope: IConstruct, condition: boolean, details: InvalidPropOptions): void {
    if (!condition) {
      Validate.fail(scope, details);
    }
  }

  /** Always throws a {@link PropValidationError} for `details`. */
  public static fail(scope: IConstruct, details: InvalidPropOptions): void {
    throw new PropValidationError({ scope, ...details });
  }

  /** Whether `error` is an error thrown by these checks (works across package copies). */
  public static isPropValidationError(error: any): boolean {
    return error instanceof Error && (error as any).name === 'PropValidationError';
  }

  private constructor() {}
}
