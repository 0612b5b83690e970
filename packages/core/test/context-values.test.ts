import { expectPropError } from '@analytics-patterns/testing';
import { App, Stack } from 'aws-cdk-lib';
import { ContextValues } from '../src';

function stackWith(context: Record<string, unknown>): Stack {
  return new Stack(new App({ context }), 'S');
}

describe('ContextValues.list', () => {
  test('unset: an empty list', () => {
    expect(ContextValues.list(stackWith({}), 'alarm-emails')).toEqual([]);
  });

  test('a comma-separated string (-c key=a,b): entries trimmed, blank ones dropped', () => {
    expect(ContextValues.list(stackWith({ 'alarm-emails': ' a@example.com, b@example.com,, ' }), 'alarm-emails'))
      .toEqual(['a@example.com', 'b@example.com']);
    expect(ContextValues.list(stackWith({ 'alarm-emails': '' }), 'alarm-emails')).toEqual([]);
  });

  test('a JSON list (cdk.json)', () => {
    expect(ContextValues.list(stackWith({ 'alarm-emails': ['a@example.com', ' b@example.com '] }), 'alarm-emails'))
      .toEqual(['a@example.com', 'b@example.com']);
  });

  test('anything else fails with the path, the flag and the value', () => {
    for (const value of [42, { a: 1 }, ['a@example.com', 7]]) {
      expectPropError(() => ContextValues.list(stackWith({ 'alarm-emails': value }), 'alarm-emails'), {
        path: 'S', prop: 'context alarm-emails', value: JSON.stringify(value), allowed: 'a comma-separated string or a list of strings',
      });
    }
  });
});

describe('ContextValues.string', () => {
  test('unset or empty: undefined; text trimmed; numbers and booleans from cdk.json as text', () => {
    expect(ContextValues.string(stackWith({}), 'flink-connector-jar')).toBeUndefined();
    expect(ContextValues.string(stackWith({ k: '' }), 'k')).toBeUndefined();
    expect(ContextValues.string(stackWith({ k: '   ' }), 'k')).toBeUndefined();
    expect(ContextValues.string(stackWith({ k: ' /tmp/a.jar ' }), 'k')).toBe('/tmp/a.jar');
    expect(ContextValues.string(stackWith({ k: 5439 }), 'k')).toBe('5439');
    expect(ContextValues.string(stackWith({ k: false }), 'k')).toBe('false');
  });

  test('a list or an object fails with the path, the flag and the value', () => {
    for (const value of [['a'], { a: 1 }]) {
      expectPropError(() => ContextValues.string(stackWith({ k: value }), 'k'), {
        path: 'S', prop: 'context k', value: JSON.stringify(value), allowed: 'a string',
      });
    }
  });
});

describe('ContextValues.flag', () => {
  test('unset or empty: the fallback', () => {
    expect(ContextValues.flag(stackWith({}), 'warehouse-hsm', false)).toBe(false);
    expect(ContextValues.flag(stackWith({}), 'cdc-quicksight', true)).toBe(true);
    expect(ContextValues.flag(stackWith({ k: '' }), 'k', true)).toBe(true);
  });

  test('true/false as JSON booleans or text (-c key=true), any case', () => {
    expect(ContextValues.flag(stackWith({ k: true }), 'k', false)).toBe(true);
    expect(ContextValues.flag(stackWith({ k: false }), 'k', true)).toBe(false);
    expect(ContextValues.flag(stackWith({ k: 'true' }), 'k', false)).toBe(true);
    expect(ContextValues.flag(stackWith({ k: ' TRUE ' }), 'k', false)).toBe(true);
    expect(ContextValues.flag(stackWith({ k: 'false' }), 'k', true)).toBe(false);
  });

  test('anything else fails instead of silently meaning no', () => {
    for (const value of ['yes', '1', 1, ['true']]) {
      expectPropError(() => ContextValues.flag(stackWith({ k: value }), 'k', false), {
        path: 'S', prop: 'context k', value: typeof value === 'string' ? value : JSON.stringify(value), allowed: 'true or false',
      });
    }
  });
});
