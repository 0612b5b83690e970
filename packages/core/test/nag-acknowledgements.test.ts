import { runNag } from '@analytics-patterns/testing';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagAcknowledgements, NagPackName } from '../src';

describe('NagAcknowledgements', () => {
  test('adds the AwsSolutions:: prefix cdk-nag 3 needs, so the finding is acknowledged with its reason', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const bucket = new s3.Bucket(new Stack(app, 'S'), 'B', { enforceSSL: true });
    NagAcknowledgements.acknowledge(bucket, 'AwsSolutions-S1', 'This bucket is a test fixture without access logs on purpose.');
    const report = runNag(app, [NagPackName.AWS_SOLUTIONS]);
    expect(report.findings.map((f) => f.rule)).not.toContain('AwsSolutions-S1');
    expect(report.acknowledged).toContainEqual(expect.objectContaining({
      rule: 'AwsSolutions-S1', path: 'S/B/Resource', reason: '[Bucket at S/B] This bucket is a test fixture without access logs on purpose.',
    }));
  });

  test('covers only its scope: the same rule on a sibling bucket is still reported', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'S');
    const ours = new s3.Bucket(stack, 'Ours', { enforceSSL: true });
    new s3.Bucket(stack, 'Theirs', { enforceSSL: true });
    NagAcknowledgements.acknowledge(ours, 'AwsSolutions-S1', 'This bucket is a test fixture without access logs on purpose.');
    const report = runNag(app, [NagPackName.AWS_SOLUTIONS]);
    expect(report.findings.filter((f) => f.rule === 'AwsSolutions-S1').map((f) => f.path)).toEqual(['S/Theirs/Resource']);
    expect(report.acknowledged.filter((a) => a.rule === 'AwsSolutions-S1').map((a) => a.path)).toEqual(['S/Ours/Resource']);
  });

  test('objectsUnder and resourceFinding render the finding the way cdk-nag names it, for created and imported buckets', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'S');
    const created = new s3.Bucket(stack, 'B');
    const imported = s3.Bucket.fromBucketName(stack, 'I', 'their-bucket');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
    created.grantWrite(role, 'raw/*');
    imported.grantPut(role, 'raw/*');
    NagAcknowledgements.objectsUnder(role, created, 'raw/', 'Firehose writes objects under keys it generates below raw/.');
    NagAcknowledgements.objectsUnder(role, imported, 'raw/', 'Firehose writes objects under keys it generates below raw/.');
    for (const a of ['s3:DeleteObject*', 's3:Abort*', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging']) {
      NagAcknowledgements.wildcardAction(role, a, 'aws-cdk-lib grantWrite action list, scoped to the raw/ prefix of one bucket.');
    }
    const bucketId = stack.getLogicalId(created.node.defaultChild as s3.CfnBucket);
    expect(NagAcknowledgements.resourceFinding(stack, created.arnForObjects('raw/*'))).toBe(`Resource::<${bucketId}.Arn>/raw/*`);
    expect(NagAcknowledgements.resourceFinding(stack, imported.arnForObjects('raw/*'))).toBe('Resource::arn:<AWS::Partition>:s3:::their-bucket/raw/*');
    const iam5 = runNag(app, [NagPackName.AWS_SOLUTIONS]).findings.filter((f) => f.rule.startsWith('AwsSolutions-IAM5'));
    expect(iam5.map((f) => f.rule)).toEqual([]);
  });

  test('rejects malformed rule ids and vague reasons', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => NagAcknowledgements.acknowledge(stack, 'S1', 'a long enough reason for the rule'))
      .toThrow('[S] invalid cdk-nag rule id "S1"');
    expect(() => NagAcknowledgements.acknowledge(stack, 'AwsSolutions-S1', 'not needed'))
      .toThrow('acknowledgement of AwsSolutions-S1 needs a specific reason');
  });
});
