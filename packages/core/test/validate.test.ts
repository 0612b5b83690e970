import { expectPropError } from '@analytics-patterns/testing';
import { App, CfnParameter, Duration, Lazy, Size, Stack, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { SizeUnit, TimeUnit, Validate } from '../src';
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
  test('number names construct path, prop, value with unit, and allowed range', () => {
    expect(messageOf(() => Validate.number(scope(), 1000, { prop: 'bufferingInterval', min: 0, max: 900, unit: 'seconds' })))
      .toBe('[Stack/Thing] invalid bufferingInterval: "1000 seconds". Allowed: 0-900 seconds.');
  });

  test('number accepts both bounds and undefined, refuses NaN', () => {
    const s = scope();
    const X = { prop: 'x', min: 0, max: 900 };
    expect(() => Validate.number(s, 0, X)).not.toThrow();
    expect(() => Validate.number(s, 900, X)).not.toThrow();
    expect(() => Validate.number(s, undefined, X)).not.toThrow();
    expect(() => Validate.number(s, Number.NaN, X)).toThrow(/invalid x: "NaN"/);
  });

  test('unresolved tokens are skipped (only known at deploy time)', () => {
    const token = Lazy.number({ produce: () => 5000 });
    expect(() => Validate.number(scope(), token, { prop: 'x', min: 0, max: 10 })).not.toThrow();
  });

  test('integer: true rejects fractions with the allowed range in words', () => {
    expect(messageOf(() => Validate.number(scope(), 2.5, { prop: 'shards', min: 1, max: 10, integer: true })))
      .toBe('[Stack/Thing] invalid shards: "2.5". Allowed: a whole number from 1 to 10.');
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
    expect(messageOf(() => Validate.number(s, 30, {
      prop: 'bufferingInterval', min: 60, max: 900, unit: 'seconds', integer: true, hint: 'Dynamic partitioning has no zero buffering.',
    })))
      .toBe('[Stack/Thing] invalid bufferingInterval: "30 seconds". Allowed: 60-900 seconds. Dynamic partitioning has no zero buffering.');
    expect(messageOf(() => Validate.number(s, 1, { prop: 'nodes', min: 2, max: 150, integer: true, hint: 'UltraWarm needs at least 2 nodes.' })))
      .toBe('[Stack/Thing] invalid nodes: "1". Allowed: 2-150. UltraWarm needs at least 2 nodes.');
  });
});

describe('Validate.number / duration / size (options form, token-safe)', () => {
  const construct = () => new Construct(new Stack(new App(), 'S'), 'C');
  const LIMIT = { min: 60, max: 900, unit: 'seconds', integer: true };

  test('number: both sides of each boundary, whole numbers, tokens unchecked', () => {
    const c = construct();
    expect(() => Validate.number(c, 60, { prop: 'interval', ...LIMIT })).not.toThrow();
    expect(() => Validate.number(c, 900, { prop: 'interval', ...LIMIT })).not.toThrow();
    expectPropError(() => Validate.number(c, 59, { prop: 'interval', ...LIMIT }), { path: 'S/C', prop: 'interval', value: '59 seconds', allowed: '60-900 seconds' });
    expectPropError(() => Validate.number(c, 901, { prop: 'interval', ...LIMIT }), { path: 'S/C', prop: 'interval', value: '901 seconds', allowed: '60-900 seconds' });
    expectPropError(() => Validate.number(c, 60.5, { prop: 'interval', ...LIMIT }), { path: 'S/C', prop: 'interval', value: '60.5 seconds', allowed: 'a whole number from 60 to 900 seconds' });
    expect(() => Validate.number(c, new CfnParameter(Stack.of(c), 'P', { type: 'Number' }).valueAsNumber, { prop: 'interval', ...LIMIT })).not.toThrow();
  });

  test('duration: converted to the unit; fractions and out-of-range values name the prop; a token in the unit passes, in another unit fails clearly', () => {
    const c = construct();
    expect(Validate.duration(c, Duration.minutes(2), { prop: 'interval', in: TimeUnit.SECONDS, ...LIMIT })).toBe(120);
    expect(Validate.duration(c, undefined, { prop: 'interval', in: TimeUnit.SECONDS, ...LIMIT })).toBeUndefined();
    expectPropError(() => Validate.duration(c, Duration.millis(60_500), { prop: 'interval', in: TimeUnit.SECONDS, ...LIMIT }), {
      path: 'S/C', prop: 'interval', value: '60.5 seconds', allowed: 'a whole number from 60 to 900 seconds',
    });
    expectPropError(() => Validate.duration(c, Duration.hours(1), { prop: 'interval', in: TimeUnit.SECONDS, ...LIMIT }), {
      path: 'S/C', prop: 'interval', value: '3600 seconds', allowed: '60-900 seconds',
    });
    const p = new CfnParameter(Stack.of(c), 'Seconds', { type: 'Number' }).valueAsNumber;
    expect(Stack.of(c).resolve(Validate.duration(c, Duration.seconds(p), { prop: 'interval', in: TimeUnit.SECONDS, ...LIMIT }))).toEqual({ Ref: 'Seconds' });
    expectPropError(() => Validate.duration(c, Duration.minutes(p), { prop: 'interval', in: TimeUnit.SECONDS, ...LIMIT }), {
      path: 'S/C', prop: 'interval', allowed: 'a duration in seconds when it is a token (Duration.seconds(...))',
    });
  });

  test('size: converted to the unit, both boundaries, tokens', () => {
    const c = construct();
    const check = { prop: 'bufferingSize', in: SizeUnit.MEBIBYTES, min: 1, max: 128, integer: true };
    expect(Validate.size(c, Size.mebibytes(128), check)).toBe(128);
    expectPropError(() => Validate.size(c, Size.mebibytes(129), check), { path: 'S/C', prop: 'bufferingSize', value: '129 MiB', allowed: '1-128 MiB' });
    expectPropError(() => Validate.size(c, Size.kibibytes(512), check), { path: 'S/C', prop: 'bufferingSize', value: '0.5 MiB', allowed: 'a whole number from 1 to 128 MiB' });
    const p = new CfnParameter(Stack.of(c), 'Mib', { type: 'Number' }).valueAsNumber;
    expectPropError(() => Validate.size(c, Size.gibibytes(p), check), { path: 'S/C', prop: 'bufferingSize', allowed: 'a size in MiB when it is a token (Size.mebibytes(...))' });
  });
});

describe('Validate.resourceName', () => {
  const rule = { pattern: '^[a-z][a-z0-9-]*$', description: 'lower-case letters, digits and "-", starting with a letter', maxLength: 10, reservedPrefixes: ['aws'], reservedSuffixes: ['-s3alias'], reservedWords: ['default'] };
  test('pattern, length, reserved prefixes, suffixes and words; tokens pass', () => {
    const c = new Construct(new Stack(new App(), 'S'), 'C');
    expect(() => Validate.resourceName(c, 'name', 'abcdefghij', rule)).not.toThrow();
    expectPropError(() => Validate.resourceName(c, 'name', 'abcdefghijk', rule), { path: 'S/C', prop: 'name', value: '"abcdefghijk"', allowed: '1-10 characters' });
    expectPropError(() => Validate.resourceName(c, 'name', 'Abc', rule), { path: 'S/C', prop: 'name', allowed: 'lower-case letters' });
    expect(expectPropError(() => Validate.resourceName(c, 'name', 'awsdata', rule), { path: 'S/C', prop: 'name' })).toContain('prefix "aws" is reserved');
    expect(expectPropError(() => Validate.resourceName(c, 'name', 'a-s3alias', rule), { path: 'S/C', prop: 'name' })).toContain('suffix "-s3alias" is reserved');
    expect(expectPropError(() => Validate.resourceName(c, 'name', 'default', rule), { path: 'S/C', prop: 'name' })).toContain('reserved word');
    expect(() => Validate.resourceName(c, 'name', new CfnParameter(Stack.of(c), 'N').valueAsString, rule)).not.toThrow();
  });
});

describe('Validate.schedule', () => {
  const c = () => new Construct(new Stack(new App(), 'S'), 'C');
  const ok = (e: scheduler.ScheduleExpression, rules = {}) => expect(() => Validate.schedule(c(), 'schedule', e, rules)).not.toThrow();
  const bad = (e: scheduler.ScheduleExpression, hint: RegExp, rules = {}) => {
    const msg = expectPropError(() => Validate.schedule(c(), 'schedule', e, rules), { path: 'S/C', prop: 'schedule', allowed: 'cron(' });
    expect(msg).toMatch(new RegExp(hint.source, 'i'));
  };
  test('cron fields, day-of-month/day-of-week "?", minimum interval, rate units, time zones', () => {
    ok(scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)'));
    ok(scheduler.ScheduleExpression.expression('cron(0/15 * ? * MON-FRI *)'), { minimumIntervalMinutes: 15 });
    bad(scheduler.ScheduleExpression.expression('cron(0/10 * ? * MON-FRI *)'), /every 10 minute\(s\); the shortest interval allowed is 15/, { minimumIntervalMinutes: 15 });
    bad(scheduler.ScheduleExpression.expression('cron(0 2 * * *)'), /needs 6 fields/);
    bad(scheduler.ScheduleExpression.expression('cron(0 24 * * ? *)'), /Hours field "24" is outside 0-23/);
    bad(scheduler.ScheduleExpression.expression('cron(0 2 * * MON *)'), /exactly one of day-of-month and day-of-week/);
    ok(scheduler.ScheduleExpression.expression('rate(1 hour)'));
    bad(scheduler.ScheduleExpression.expression('rate(1 hours)'), /singular/);
    bad(scheduler.ScheduleExpression.expression('rate(5 minute)'), /plural/);
    bad(scheduler.ScheduleExpression.expression('rate(1 hour)'), /rate\(\.\.\.\) is not accepted here/, { allowRate: false });
    ok(scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_PARIS }));
    bad(scheduler.ScheduleExpression.expression('cron(0 3 * * ? *)', TimeZone.of('Mars/Olympus')), /not an IANA time zone/);
    bad(scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_PARIS }), /UTC only/, { utcOnly: true });
    bad(scheduler.ScheduleExpression.at(new Date(Date.UTC(2030, 0, 1))), /one-time at\(\.\.\.\)/);
  });
});
