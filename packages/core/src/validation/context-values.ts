import { IConstruct } from 'constructs';
import { Validate } from './validate';

/**
 * Context flags of the reference apps and of users' own apps, read one way. A context value is
 * a plain string (`-c key=value`) or a JSON value (`cdk.json`, `App({ context })`), always known
 * at synth time: there is no token form of it.
 */
export class ContextValues {
  /**
   * A list flag, e.g. `-c alarm-emails=a@example.com,b@example.com`: a comma-separated string
   * (blank entries dropped, each entry trimmed) or a JSON list of strings; empty when unset.
   * Anything else fails with the construct path, the flag and the value.
   */
  public static list(scope: IConstruct, key: string): string[] {
    const value = scope.node.tryGetContext(key);
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') return value.split(',').map((e) => e.trim()).filter((e) => e !== '');
    Validate.that(scope, Array.isArray(value) && value.every((e) => typeof e === 'string'), {
      prop: `context ${key}`, value, allowed: 'a comma-separated string or a list of strings',
    });
    return (value as string[]).map((e) => e.trim()).filter((e) => e !== '');
  }
}
