import { Validate } from '@analytics-patterns/core';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { expectNagClean, expectPropError, normalizeTemplate, runNag, testApp } from '../src';

describe('expectNagClean', () => {
  test('lists every unacknowledged finding with rule and path', () => {
    const app = testApp();
    new s3.Bucket(new Stack(app, 'S'), 'Plain');
    let message = '';
    try {
      expectNagClean(app);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/unacknowledged finding\(s\)/);
    expect(message).toContain('AwsSolutions-S1 (error) at S/Plain/Resource');
    expect(message).toContain('AwsSolutions-S10 (error) at S/Plain/Resource');
  });

  test('passes when there is nothing to report', () => {
    const app = testApp();
    new Stack(app, 'Empty');
    expect(expectNagClean(app)).toEqual({ findings: [], acknowledged: [] });
  });

  test('runNag reports warnings as well as errors', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    new s3.Bucket(new Stack(app, 'S'), 'B', { enforceSSL: true });
    const severities = new Set(runNag(app).findings.map((f) => f.severity));
    expect(severities.has('error')).toBe(true);
  });
});

describe('expectPropError', () => {
  const scope = () => new Construct(new Stack(new App(), 'S'), 'C');

  test('accepts a complete message', () => {
    expect(expectPropError(() => Validate.number(scope(), 500, { prop: 'size', min: 1, max: 128, unit: 'MiB' }), {
      path: 'S/C', prop: 'size', value: '500 MiB', allowed: '1-128 MiB',
    })).toBe('[S/C] invalid size: "500 MiB". Allowed: 1-128 MiB.');
  });

  test('rejects a wrong path, prop, value or range, and a missing error', () => {
    const fn = () => Validate.number(scope(), 500, { prop: 'size', min: 1, max: 128, unit: 'MiB' });
    expect(() => expectPropError(fn, { path: 'S/D', prop: 'size' })).toThrow('does not start with the construct path [S/D]');
    expect(() => expectPropError(fn, { path: 'S/C', prop: 'other' })).toThrow('does not name the prop other');
    expect(() => expectPropError(fn, { path: 'S/C', prop: 'size', value: '600' })).toThrow('does not show the value 600');
    expect(() => expectPropError(fn, { path: 'S/C', prop: 'size', allowed: '1-64' })).toThrow('does not show the allowed range 1-64');
    expect(() => expectPropError(() => undefined, { path: 'S/C', prop: 'size' })).toThrow('nothing was thrown');
    expect(() => expectPropError(() => { throw new Error('x'); }, { path: 'S/C', prop: 'size' })).toThrow('not a PropValidationError');
  });
});

describe('normalizeTemplate', () => {
  test('replaces asset hashes and drops version metadata and bootstrap checks', () => {
    const hash = 'a'.repeat(64);
    const template = {
      Parameters: { BootstrapVersion: { Type: 'x' }, Other: { Type: 'String' } },
      Rules: { CheckBootstrapVersion: {} },
      Conditions: { CDKMetadataAvailable: {} },
      Resources: {
        CDKMetadata: { Type: 'AWS::CDK::Metadata' },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: `${hash}.zip` } } },
      },
    };
    expect(normalizeTemplate(template)).toEqual({
      Parameters: { Other: { Type: 'String' } },
      Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: '<ASSET_HASH>.zip' } } } },
    });
  });
});
