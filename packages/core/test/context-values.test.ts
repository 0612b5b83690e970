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
