import { Sandbox } from '@analytics-patterns/core';
import { App, Stack } from 'aws-cdk-lib';

/** Options for {@link testApp}. */
export interface TestAppOptions {
  /** Turn sandbox mode (DESTROY + auto-delete) on. Default false. */
  readonly sandbox?: boolean;
  /**
   * Run aws-cdk-lib's built-in CloudFormation template validation (about 5 s per
   * synth). Off by default in unit tests; a few dedicated tests turn it on.
   */
  readonly cfnValidation?: boolean;
  /** Extra context. */
  readonly context?: Record<string, unknown>;
}

/** Feature flags every app of this project sets (also in cdk.json). */
export const PROJECT_CONTEXT: Record<string, unknown> = {
  // findings of the built-in template validator fail synthesis instead of scrolling by
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  // ARNs of stacks with a known region use the partition literal ("aws"), not a token
  '@aws-cdk/core:enablePartitionLiterals': true,
};

/** An App for unit tests: no asset bundling, no creation stack traces, built-in validation off unless asked. */
export function testApp(options: TestAppOptions = {}): App {
  return new App({
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: {
      ...PROJECT_CONTEXT,
      'aws:cdk:bundling-stacks': [],
      // no creation stack trace per L1: under jest each is source-mapped, ~15% of the suite's CPU
      'aws:cdk:disable-creation-stack-traces': true,
      ...(options.sandbox ? { [Sandbox.CONTEXT_KEY]: true } : {}),
      ...options.context,
    },
  });
}

/** A stack in a fixed account and region, inside a {@link testApp}. */
export function testStack(options: TestAppOptions & { id?: string } = {}): Stack {
  const app = testApp(options);
  return new Stack(app, options.id ?? 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
}
