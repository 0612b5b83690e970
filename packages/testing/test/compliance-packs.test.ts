import { NagAcknowledgements, NagPackName } from '@analytics-patterns/core';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgementLines, ALL_NAG_PACKS, expectNagClean, runNag, testApp } from '../src';

/** A deliberately non-compliant stack: each pack must report it. */
function nonCompliant(acknowledge = false) {
  const app = testApp();
  const stack = new Stack(app, 'Canary');
  const bucket = new s3.Bucket(stack, 'Plain');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  new cloudwatch.Alarm(stack, 'Silent', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
  if (acknowledge) {
    NagAcknowledgements.acknowledgeCompliance(role, 'IAMNoInlinePolicy', 'Canary: the inline policy is the subject of this test and nothing else.');
  }
  return { app, stack, role };
}

describe('the four cdk-nag packs are active', () => {
  const { app } = nonCompliant();
  const report = runNag(app);
  const rules = new Set(report.findings.map((f) => f.rule));

  test.each([
    [NagPackName.AWS_SOLUTIONS, 'AwsSolutions-S1'],
    [NagPackName.NIST_800_53_R5, 'NIST.800.53.R5-IAMNoInlinePolicy'],
    [NagPackName.NIST_800_53_R5, 'NIST.800.53.R5-CloudWatchAlarmAction'],
    [NagPackName.NIST_800_53_R5, 'NIST.800.53.R5-S3BucketReplicationEnabled'],
    [NagPackName.HIPAA_SECURITY, 'HIPAA.Security-IAMNoInlinePolicy'],
    [NagPackName.HIPAA_SECURITY, 'HIPAA.Security-CloudWatchAlarmAction'],
    [NagPackName.PCI_DSS_321, 'PCI.DSS.321-IAMNoInlinePolicy'],
    [NagPackName.PCI_DSS_321, 'PCI.DSS.321-S3DefaultEncryptionKMS'],
  ])('%s reports %s', (pack, rule) => {
    expect(rules).toContain(rule);
    expect(report.findings.find((f) => f.rule === rule)?.pack).toBe(pack);
  });

  test('expectNagClean fails on them, naming each rule', () => {
    expect(() => expectNagClean(nonCompliant().app)).toThrow(/PCI\.DSS\.321-IAMNoInlinePolicy \(error\) at Canary\/Role\/DefaultPolicy\/Resource/);
  });

  test('the packs run even when the app was already synthesized (e.g. by Template.fromStack)', () => {
    const canary = nonCompliant();
    Template.fromStack(canary.stack);
    expect(runNag(canary.app).findings.map((f) => f.rule)).toContain('AwsSolutions-S1');
  });

  test('by default all four packs run', () => {
    expect(ALL_NAG_PACKS).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']);
  });
});

describe('acknowledgements', () => {
  test('acknowledgeCompliance acknowledges a shared rule in the three compliance packs, with provenance', () => {
    const { app } = nonCompliant(true);
    const report = runNag(app);
    expect(report.findings.map((f) => f.rule)).not.toEqual(expect.arrayContaining([expect.stringMatching(/IAMNoInlinePolicy/)]));
    const lines = acknowledgementLines(report).filter((l) => l.includes('IAMNoInlinePolicy'));
    expect(lines).toEqual([
      'HIPAA.Security-IAMNoInlinePolicy at Canary/Role/DefaultPolicy/Resource: [Role at Canary/Role] Canary: the inline policy is the subject of this test and nothing else.',
      'NIST.800.53.R5-IAMNoInlinePolicy at Canary/Role/DefaultPolicy/Resource: [Role at Canary/Role] Canary: the inline policy is the subject of this test and nothing else.',
      'PCI.DSS.321-IAMNoInlinePolicy at Canary/Role/DefaultPolicy/Resource: [Role at Canary/Role] Canary: the inline policy is the subject of this test and nothing else.',
    ]);
  });

  test('an acknowledgement of one pack does not hide the same rule in another', () => {
    const { app, role } = nonCompliant();
    NagAcknowledgements.acknowledge(role, 'NIST.800.53.R5-IAMNoInlinePolicy', 'Canary: acknowledged in the NIST pack only, on purpose.');
    const rules = runNag(app).findings.map((f) => f.rule);
    expect(rules).not.toContain('NIST.800.53.R5-IAMNoInlinePolicy');
    expect(rules).toContain('HIPAA.Security-IAMNoInlinePolicy');
  });

  test('rule ids must name a pack; reasons must be specific', () => {
    const { role } = nonCompliant();
    expect(() => NagAcknowledgements.acknowledge(role, 'IAMNoInlinePolicy', 'a long enough reason for the check')).toThrow(/invalid cdk-nag rule id/);
    expect(() => NagAcknowledgements.acknowledge(role, 'AwsSolutions-IAM5', 'ok')).toThrow(/needs a specific reason/);
  });
});
