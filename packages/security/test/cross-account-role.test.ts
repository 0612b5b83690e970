import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole } from '../src';

const read = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shared-lake/curated/report.csv'] });

describe('CrossAccountRole', () => {
  test('trusts only the named accounts, with external id and MFA, one-hour sessions, scoped permissions', () => {
    const stack = testStack();
    new CrossAccountRole(stack, 'Partner', { trustedAccountIds: ['210987654321'], externalId: 'partner-7f3a', requireMfa: true, statements: [read] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::210987654321:root' },
          Condition: { StringEquals: { 'sts:ExternalId': 'partner-7f3a' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        }],
      },
      Policies: [{ PolicyName: 'access', PolicyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::shared-lake/curated/report.csv' }] } }],
    });
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });

  test('several accounts and a longer session', () => {
    const stack = testStack();
    new CrossAccountRole(stack, 'R', { trustedAccountIds: ['111111111111', '222222222222'], maxSessionDuration: Duration.hours(12), statements: [read] });
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.MaxSessionDuration).toBe(43200);
    expect(role.AssumeRolePolicyDocument.Statement.map((s: any) => s.Principal.AWS).sort())
      .toEqual(['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root']);
  });

  test('validation', () => {
    const fails = (props: any, prop: string, value: string, allowed: string) =>
      expectPropError(() => new CrossAccountRole(testStack(), 'R', { statements: [read], ...props }), { path: 'TestStack/R', prop, value, allowed });
    fails({ trustedAccountIds: [] }, 'trustedAccountIds', '[]', '1-100 entries');
    fails({ trustedAccountIds: ['12345'] }, 'trustedAccountIds[0]', '"12345"', 'a 12-digit AWS account id');
    fails({ trustedAccountIds: ['111111111111'], externalId: 'x' }, 'externalId', '"x"', '2-1224 characters');
    fails({ trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.hours(13) }, 'maxSessionDuration', '13 hours', '1-12 hours');
    fails({ trustedAccountIds: ['111111111111'], statements: [] }, 'statements', '[]', '1-1000 entries');
  });
});
