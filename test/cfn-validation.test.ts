import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { buildApps } from '../apps/main';
import { cfnValidationFindings, testApp } from '@analytics-patterns/testing';

// The only tests that run aws-cdk-lib's built-in CloudFormation validation (~5 s per synth),
// with `@aws-cdk/core:validateAgainstDefaultRules` so that findings fail synthesis.
describe('built-in CloudFormation template validation', () => {
  test('a template CloudFormation would reject fails synthesis (the flag works)', () => {
    const app = testApp({ cfnValidation: true });
    new CfnResource(new Stack(app, 'Bad'), 'Stream', { type: 'AWS::Kinesis::Stream', properties: { RetentionPeriodHours: 9000 } });
    expect(() => app.synth()).toThrow(/RetentionPeriodHours: 9000 is greater than the maximum of 8760 \(CloudFormation Validate\)/);
  });

  test('cfnValidationFindings lists each finding with its rule and path', () => {
    const app = testApp({ cfnValidation: true });
    new CfnResource(new Stack(app, 'Bad'), 'Stream', { type: 'AWS::Kinesis::Stream', properties: { RetentionPeriodHours: 9000 } });
    expect(cfnValidationFindings(app)).toEqual([expect.stringMatching(/^F3034: RetentionPeriodHours: 9000 is greater than the maximum of 8760 at Bad\/Stream$/)]);
  });

  test('every reference app passes with zero findings, warnings included', () => {
    const app: App = testApp({ cfnValidation: true });
    buildApps(app);
    expect(cfnValidationFindings(app)).toEqual([]);
  }, 120_000);
});
