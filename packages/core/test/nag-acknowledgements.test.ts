import { runNag } from '@analytics-patterns/testing';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagAcknowledgements } from '../src';

describe('NagAcknowledgements', () => {
  test('adds the AwsSolutions:: prefix cdk-nag 3 needs, so the finding is acknowledged with its reason', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const bucket = new s3.Bucket(new Stack(app, 'S'), 'B', { enforceSSL: true });
    NagAcknowledgements.acknowledge(bucket, 'AwsSolutions-S1', 'This bucket is a test fixture without access logs on purpose.');
    const report = runNag(app);
    expect(report.findings.map((f) => f.rule)).not.toContain('AwsSolutions-S1');
    expect(report.acknowledged).toContainEqual(expect.objectContaining({
      rule: 'AwsSolutions-S1', path: 'S/B/Resource', reason: 'This bucket is a test fixture without access logs on purpose.',
    }));
  });

  test('rejects malformed rule ids and vague reasons', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => NagAcknowledgements.acknowledge(stack, 'S1', 'a long enough reason for the rule'))
      .toThrow('[S] invalid cdk-nag rule id "S1"');
    expect(() => NagAcknowledgements.acknowledge(stack, 'AwsSolutions-S1', 'not needed'))
      .toThrow('acknowledgement of AwsSolutions-S1 needs a specific reason');
  });
});
