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
    if (value === null) return [];
    return ContextValues._parseList(scope, `context ${key}`, value, 'strings')?.filter((e) => e !== '') ?? [];
  }

  /**
   * A string flag, e.g. `-c flink-connector-jar=/tmp/connector.jar`: undefined when unset or
   * empty; numbers and booleans given in `cdk.json` become their text. Anything else (a list,
   * an object) fails with the construct path, the flag and the value.
   */
  public static string(scope: IConstruct, key: string): string | undefined {
    const value = scope.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    Validate.that(scope, ['string', 'number', 'boolean'].includes(typeof value), {
      prop: `context ${key}`, value, allowed: 'a string',
    });
    return String(value).trim() || undefined;
  }

  /**
   * A yes/no flag, e.g. `-c warehouse-hsm=true`: `true`/`false` (a JSON boolean or that text,
   * any case), `fallback` when unset or empty. Anything else (`yes`, `1`) fails rather than
   * silently meaning no.
   */
  public static flag(scope: IConstruct, key: string, fallback: boolean): boolean {
    const value = scope.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'boolean') return value;
    const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
    Validate.that(scope, text === 'true' || text === 'false', { prop: `context ${key}`, value, allowed: 'true or false' });
    return text === 'true';
  }

  /**
   * A list given as a comma-separated string (entries trimmed, blank ones dropped) or as a list
   * of strings (entries trimmed), undefined when `value` is; anything else fails naming `prop`.
   * `items` says what the entries are, for the message.
   * @internal
   */
  public static _parseList(scope: IConstruct, prop: string, value: unknown, items: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.split(',').map((e) => e.trim()).filter((e) => e !== '');
    Validate.that(scope, Array.isArray(value) && value.every((e) => typeof e === 'string'), {
      prop, value, allowed: `a comma-separated string or a list of ${items}`,
    });
    return (value as string[]).map((e) => e.trim());
  }
}
