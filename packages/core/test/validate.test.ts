import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Validate } from '../src';
import { PropValidationError } from '../src/validation/validation-error';

function scope(): Construct {
  return new Construct(new Stack(new App(), 'Stack'), 'Thing');
}

function messageOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('Validate', () => {
  test('range names construct path, prop, value with unit, and allowed range', () => {
    expect(messageOf(() => Validate.range(scope(), 'bufferingInterval', 0, 900, 1000, 'seconds')))
      .toBe('[Stack/Thing] invalid bufferingInterval: "1000 seconds". Allowed: 0-900 seconds.');
  });

  test('range accepts both bounds and undefined', () => {
    const s = scope();
    expect(() => Validate.range(s, 'x', 0, 900, 0)).not.toThrow();
    expect(() => Validate.range(s, 'x', 0, 900, 900)).not.toThrow();
    expect(() => Validate.range(s, 'x', 0, 900, undefined)).not.toThrow();
    expect(() => Validate.range(s, 'x', 0, 900, Number.NaN)).toThrow(/invalid x: NaN/);
  });

  test('unresolved tokens are skipped (only known at deploy time)', () => {
    const token = Lazy.number({ produce: () => 5000 });
    expect(() => Validate.range(scope(), 'x', 0, 10, token)).not.toThrow();
  });

  test('integer rejects fractions with the allowed range in words', () => {
    expect(messageOf(() => Validate.integer(scope(), 'shards', 1, 10, 2.5)))
      .toBe('[Stack/Thing] invalid shards: 2.5. Allowed: a whole number from 1 to 10.');
  });

  test('oneOf, pattern, count, unique', () => {
    const s = scope();
    expect(messageOf(() => Validate.oneOf(s, 'mode', ['A', 'B'], 'C'))).toContain('invalid mode: "C". Allowed: one of A, B.');
    expect(messageOf(() => Validate.pattern(s, 'name', '^[a-z]+$', 'lower-case letters', 'ABC')))
      .toBe('[Stack/Thing] invalid name: "ABC". Allowed: lower-case letters.');
    expect(messageOf(() => Validate.count(s, 'fields', 1, 2, [1, 2, 3]))).toContain('Allowed: 1-2 entries.');
    expect(messageOf(() => Validate.unique(s, 'names', ['a', 'b', 'a']))).toContain('"a" appears more than once');
    expect(() => Validate.unique(s, 'names', ['a', 'b'])).not.toThrow();
  });

  test('that/fail carry a hint, and errors are recognisable', () => {
    let error: unknown;
    try {
      Validate.that(scope(), false, { prop: 'p', value: 1, allowed: '2', hint: 'Because.' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropValidationError);
    expect((error as Error).message).toBe('[Stack/Thing] invalid p: 1. Allowed: 2. Because.');
    expect(Validate.isPropValidationError(error)).toBe(true);
    expect(Validate.isPropValidationError(new Error('other'))).toBe(false);
    expect((error as PropValidationError).constructPath).toBe('Stack/Thing');
    expect((error as PropValidationError).prop).toBe('p');
  });

  test('values are rendered readably', () => {
    expect(PropValidationError.render(['a', 1])).toBe('["a",1]');
    expect(PropValidationError.render(undefined)).toBe('undefined');
    expect(PropValidationError.render(true)).toBe('true');
  });
});

describe('Validate hints', () => {
  test('a hint follows the allowed range; the value shows only the value and unit', () => {
    const s = new Construct(new Stack(new App(), 'Stack'), 'Thing');
    expect(messageOf(() => Validate.integer(s, 'bufferingInterval', 60, 900, 30, 'seconds', 'Dynamic partitioning has no zero buffering.')))
      .toBe('[Stack/Thing] invalid bufferingInterval: "30 seconds". Allowed: 60-900 seconds. Dynamic partitioning has no zero buffering.');
    expect(messageOf(() => Validate.integer(s, 'nodes', 2, 150, 1, undefined, 'UltraWarm needs at least 2 nodes.')))
      .toBe('[Stack/Thing] invalid nodes: 1. Allowed: 2-150. UltraWarm needs at least 2 nodes.');
  });
});
