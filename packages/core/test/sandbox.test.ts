import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Sandbox } from '../src';

describe('Sandbox', () => {
  test('default: RETAIN and no auto-delete', () => {
    const stack = new Stack(new App(), 'S');
    expect(Sandbox.isEnabled(stack)).toBe(false);
    expect(Sandbox.removalPolicy(stack)).toBe(RemovalPolicy.RETAIN);
    expect(Sandbox.autoDeleteObjects(stack)).toBe(false);
  });

  test.each([true, 'true'])('context %p turns on DESTROY and auto-delete', (value) => {
    const stack = new Stack(new App({ context: { [Sandbox.CONTEXT_KEY]: value } }), 'S');
    expect(Sandbox.isEnabled(stack)).toBe(true);
    expect(Sandbox.removalPolicy(stack)).toBe(RemovalPolicy.DESTROY);
    expect(Sandbox.autoDeleteObjects(stack)).toBe(true);
  });

  test.each([false, 'false', 'yes', 1])('context %p keeps RETAIN', (value) => {
    const stack = new Stack(new App({ context: { [Sandbox.CONTEXT_KEY]: value } }), 'S');
    expect(Sandbox.removalPolicy(stack)).toBe(RemovalPolicy.RETAIN);
  });

  test('the flag is read from the construct tree, so one app-level flag covers every stack', () => {
    const app = new App({ context: { 'analytics-patterns:sandbox': 'true' } });
    expect(Sandbox.isEnabled(new Stack(app, 'A'))).toBe(true);
    expect(Sandbox.isEnabled(new Stack(app, 'B'))).toBe(true);
  });
});
