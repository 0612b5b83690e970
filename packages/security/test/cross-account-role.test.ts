import { CustomerManagedPolicies } from '@analytics-patterns/core';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, listParameter, numberParameter, OTHER_ACCOUNT, Principals,
  stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole } from '../src';

const PARTNER = '210987654321';
const OBJECT = 'arn:aws:s3:::shared-lake/curated/report.csv';
const read = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [OBJECT] });
/** A role of the partner account whose own policy lets it call sts:AssumeRole. */
const partnerAnalyst = (account = PARTNER) => Principals.roleAssumer('Analyst', account);

describe('CrossAccountRole', () => {
  const stack = testStack();
  const partner = new CrossAccountRole(stack, 'Partner', { trustedAccountIds: [PARTNER], externalId: 'partner-7f3a', requireMfa: true, statements: [read] });
  const t = Template.fromStack(stack);

  test('trusts only the named accounts, with external id and MFA, one-hour sessions, scoped permissions', () => {
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
  });

  test('run time: the partner\'s principal with the external id and MFA assumes the role; without either, or from another account, it is refused', async () => {
    const access = AccessModel.of(stack);
    const role = partner.role.roleArn;
    const good = { 'sts:ExternalId': 'partner-7f3a', 'aws:MultiFactorAuthPresent': 'true' };
    await access.expectAllowed({ ...partnerAnalyst(), action: 'sts:AssumeRole', resource: role, context: good });
    await access.expectDenied(
      { ...partnerAnalyst(), action: 'sts:AssumeRole', resource: role, context: { 'aws:MultiFactorAuthPresent': 'true' } },
      { ...partnerAnalyst(), action: 'sts:AssumeRole', resource: role, context: { ...good, 'sts:ExternalId': 'guessed' } },
      { ...partnerAnalyst(), action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': 'partner-7f3a' } },
      { ...partnerAnalyst(), action: 'sts:AssumeRole', resource: role, context: { ...good, 'aws:MultiFactorAuthPresent': 'false' } },
      { ...partnerAnalyst(OTHER_ACCOUNT), action: 'sts:AssumeRole', resource: role, context: good },
      { principal: Principals.strangerInAccount(), action: 'sts:AssumeRole', resource: role, context: good },
      { principal: Principals.anonymous, action: 'sts:AssumeRole', resource: role, context: good },
    );
  });

  test('run time: the role reads the one object it was given, nothing else', async () => {
    const access = AccessModel.of(stack);
    await access.expectAllowed({ principal: partner.role.roleArn, action: 's3:GetObject', resource: OBJECT });
    await access.expectDenied(
      { principal: partner.role.roleArn, action: 's3:GetObject', resource: 'arn:aws:s3:::shared-lake/raw/secret.csv' },
      { principal: partner.role.roleArn, action: 's3:PutObject', resource: OBJECT },
    );
  });

  test('the role (stateful for the partner, who stores its ARN) keeps its logical id', () => {
    expect(stack.getLogicalId(partner.role.node.defaultChild as iam.CfnRole)).toBe('PartnerRoleA5D97E44');
  });

  test('cdk-nag clean in all four packs; the inline policy is acknowledged naming the flag', () => {
    const s = testStack();
    new CrossAccountRole(s, 'Partner', { trustedAccountIds: [PARTNER], externalId: 'partner-7f3a', statements: [read] });
    const report = expectNagClean(s);
    expect(report.acknowledged.map((a) => `${a.rule} ${a.path}`).sort()).toEqual([
      'HIPAA.Security-IAMNoInlinePolicy TestStack/Partner/Role/Resource',
      'NIST.800.53.R5-IAMNoInlinePolicy TestStack/Partner/Role/Resource',
      'PCI.DSS.321-IAMNoInlinePolicy TestStack/Partner/Role/Resource',
    ]);
    expect(report.acknowledged[0].reason).toContain(`${CustomerManagedPolicies.CONTEXT_KEY}=true`);
  });

  test('customer-managed policies on: the statements move to a managed policy, nothing to acknowledge, the role still reads', async () => {
    const s = testStack({ context: { [CustomerManagedPolicies.CONTEXT_KEY]: true } });
    const r = new CrossAccountRole(s, 'Partner', { trustedAccountIds: [PARTNER], statements: [read] });
    const tm = Template.fromStack(s);
    expect(Object.values(tm.findResources('AWS::IAM::Role'))[0].Properties.Policies).toBeUndefined();
    tm.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: OBJECT }] },
      Roles: [{ Ref: s.getLogicalId(r.role.node.defaultChild as iam.CfnRole) }],
    });
    await AccessModel.of(s).expectAllowed({ principal: r.role.roleArn, action: 's3:GetObject', resource: OBJECT });
    expect(expectNagClean(s).acknowledged).toEqual([]);
  });
});

describe('CrossAccountRole options', () => {
  test('several accounts and a longer session', async () => {
    const stack = testStack();
    const r = new CrossAccountRole(stack, 'R', { trustedAccountIds: ['111111111111', '222222222222'], maxSessionDuration: Duration.hours(12), statements: [read] });
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.MaxSessionDuration).toBe(43200);
    expect(role.AssumeRolePolicyDocument.Statement.map((s: any) => s.Principal.AWS).sort())
      .toEqual(['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root']);
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { ...partnerAnalyst('111111111111'), action: 'sts:AssumeRole', resource: r.role.roleArn },
      { ...partnerAnalyst('222222222222'), action: 'sts:AssumeRole', resource: r.role.roleArn },
    );
    await access.expectDenied({ ...partnerAnalyst(PARTNER), action: 'sts:AssumeRole', resource: r.role.roleArn });
  });

  test('tokens: account ids, external id and the session (in seconds) reach the template', () => {
    const stack = testStack();
    new CrossAccountRole(stack, 'R', {
      trustedAccountIds: [stringParameter(stack, 'Account')],
      externalId: stringParameter(stack, 'ExternalId'),
      maxSessionDuration: Duration.seconds(numberParameter(stack, 'Session')),
      description: stringParameter(stack, 'Description'),
      statements: [read],
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Account', /AssumeRolePolicyDocument/);
    expectParameterUsed(t, 'ExternalId', /sts:ExternalId/);
    expectParameterUsed(t, 'Session', /MaxSessionDuration/);
    expectParameterUsed(t, 'Description', /Description/);
  });

  test('token limits: a list token and a session token not in seconds fail with the prop', () => {
    const stack = testStack();
    expectPropError(() => new CrossAccountRole(stack, 'R', { trustedAccountIds: listParameter(stack, 'Accounts'), statements: [read] }), {
      path: 'TestStack/R', prop: 'trustedAccountIds', value: 'a list token', allowed: 'each id may be a token',
    });
    expectPropError(() => new CrossAccountRole(stack, 'S', {
      trustedAccountIds: [PARTNER], maxSessionDuration: Duration.hours(numberParameter(stack, 'Hours')), statements: [read],
    }), { path: 'TestStack/S', prop: 'maxSessionDuration', allowed: 'a duration in seconds when it is a token' });
  });

  test('a trust policy above the default quota warns; above the hard maximum fails', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
    const stack = testStack();
    new CrossAccountRole(stack, 'Many', { trustedAccountIds: ids(30), statements: [read] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Many', Match.stringLikeRegexp('trust policy of TestStack/Many has \\d+ characters'));
    const few = testStack();
    new CrossAccountRole(few, 'Few', { trustedAccountIds: ids(20), statements: [read] });
    expect(Annotations.fromStack(few).findWarning('/TestStack/Few', Match.anyValue())).toEqual([]);
    expectPropError(() => new CrossAccountRole(testStack(), 'R', { trustedAccountIds: ids(60), statements: [read] }), {
      path: 'TestStack/R', prop: 'trustedAccountIds (trust policy size)', allowed: '1-4096 characters',
    });
  });
});

describe('CrossAccountRole validation (both sides of every limit)', () => {
  const fails = (props: any, prop: string, value: string, allowed: string) =>
    expectPropError(() => new CrossAccountRole(testStack(), 'R', { statements: [read], ...props }), { path: 'TestStack/R', prop, value, allowed });
  const ok = (props: any) => expect(() => new CrossAccountRole(testStack(), 'R', { statements: [read], trustedAccountIds: [PARTNER], ...props })).not.toThrow();

  test('account ids', () => {
    fails({ trustedAccountIds: [] }, 'trustedAccountIds', '[]', '1-100 entries');
    fails({ trustedAccountIds: ['12345'] }, 'trustedAccountIds[0]', '"12345"', 'a 12-digit AWS account id');
    fails({ trustedAccountIds: ['1234567890123'] }, 'trustedAccountIds[0]', '"1234567890123"', 'a 12-digit AWS account id');
    fails({ trustedAccountIds: [PARTNER, PARTNER] }, 'trustedAccountIds', `["${PARTNER}","${PARTNER}"]`, 'distinct entries');
  });

  test('external id: 2-1224 characters of the allowed set', () => {
    ok({ externalId: 'ab' });
    ok({ externalId: 'x'.repeat(1224) });
    fails({ trustedAccountIds: ['111111111111'], externalId: 'x' }, 'externalId', '"x"', '2-1224 characters');
    fails({ trustedAccountIds: ['111111111111'], externalId: 'x'.repeat(1225) }, 'externalId', 'xxxx', '2-1224 characters');
    fails({ trustedAccountIds: ['111111111111'], externalId: 'has space' }, 'externalId', '"has space"', 'letters, digits and +=,.@:/-_');
  });

  test('session: 1-12 hours, whole seconds; at most 1 hour with role chaining', () => {
    ok({ maxSessionDuration: Duration.hours(1) });
    ok({ maxSessionDuration: Duration.hours(12) });
    ok({ maxSessionDuration: Duration.minutes(90) });
    ok({ maxSessionDuration: Duration.hours(1), roleChaining: true });
    fails({ trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.hours(13) }, 'maxSessionDuration', '13 hours', '1-12 hours');
    fails({ trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.minutes(59) }, 'maxSessionDuration', 'hours', '1-12 hours');
    fails({ trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.millis(3600500) }, 'maxSessionDuration', '3600.5 seconds', 'a whole number from 3600 to 43200 seconds');
    fails({ trustedAccountIds: ['111111111111'], maxSessionDuration: Duration.hours(2), roleChaining: true }, 'maxSessionDuration', '"Duration.hours(2)"', 'at most 1 hour with roleChaining');
  });

  test('statements and description', () => {
    fails({ trustedAccountIds: ['111111111111'], statements: [] }, 'statements', '[]', '1-1000 entries');
    ok({ description: 'd'.repeat(1000) });
    fails({ trustedAccountIds: ['111111111111'], description: 'd'.repeat(1001) }, 'description', 'ddd', '0-1000 characters');
  });

  test('permissions larger than an inline role policy may be', () => {
    const many = Array.from({ length: 120 }, (_, i) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::shared-lake/curated/report-${i}.csv`] }));
    expectPropError(() => new CrossAccountRole(testStack(), 'R', { trustedAccountIds: [PARTNER], statements: many }), {
      path: 'TestStack/R', prop: 'statements (policy size)', allowed: '1-10240 characters',
    });
  });
});
