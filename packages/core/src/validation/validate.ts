import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InvalidPropOptions, PropValidationError } from './validation-error';

/**
 * Synth-time prop checks shared by every construct. Each check throws a
 * {@link PropValidationError} naming the construct path, prop, value and allowed range.
 * Unresolved tokens are skipped: they are only known at deploy time.
 */
export class Validate {
  /**
   * Checks that `value` (if given) is within `[min, max]`.
   * @param unit appended to the value and the range in the message, e.g. `seconds`
   * @param hint a sentence after the range: why the rule exists or how to fix the value
   */
  public static range(scope: IConstruct, prop: string, min: number, max: number, value?: number, unit?: string, hint?: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const suffix = unit ? ` ${unit}` : '';
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new PropValidationError({ scope, prop, value: unit ? `${value}${suffix}` : value, allowed: `${min}-${max}${suffix}`, hint });
    }
  }

  /** Checks that `value` (if given) is a whole number within `[min, max]` (see `range` for `unit` and `hint`). */
  public static integer(scope: IConstruct, prop: string, min: number, max: number, value?: number, unit?: string, hint?: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value)) {
      const suffix = unit ? ` ${unit}` : '';
      throw new PropValidationError({ scope, prop, value, allowed: `a whole number from ${min} to ${max}${suffix}`, hint });
    }
    Validate.range(scope, prop, min, max, value, unit, hint);
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
    if (value === undefined) return;
    const seen = new Set<string>();
    for (const v of value) {
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
