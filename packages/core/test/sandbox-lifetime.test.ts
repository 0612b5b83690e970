import {
  acknowledgementLines, cfnValidationFindings, expectNagClean, expectParameterUsed, expectPropError, numberParameter, testApp, testStack,
} from '@analytics-patterns/testing';
import { CfnResource, CliCredentialsStackSynthesizer, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SandboxBudget, SandboxExpiry, SandboxLifetime, SandboxLifetimeOptions } from '../src';

const TTL = SandboxLifetime.TTL_CONTEXT_KEY;
const BUDGET = SandboxLifetime.BUDGET_CONTEXT_KEY;
const EMAIL = SandboxLifetime.BUDGET_EMAIL_CONTEXT_KEY;

const LIFETIME_TYPES = ['AWS::Scheduler::ScheduleGroup', 'AWS::StepFunctions::StateMachine', 'AWS::Events::Rule', 'AWS::Budgets::Budget'];

interface BuildOptions {
  readonly sandbox?: boolean;
  readonly apply?: SandboxLifetimeOptions;
  readonly id?: string;
  readonly cfnValidation?: boolean;
}

function build(context: Record<string, unknown>, options: BuildOptions = {}) {
  const stack = testStack({ sandbox: options.sandbox ?? true, context, id: options.id, cfnValidation: options.cfnValidation });
  const lifetime = SandboxLifetime.apply(stack, options.apply);
  return { stack, lifetime };
}

function countOf(stack: Stack, types = LIFETIME_TYPES): Record<string, number> {
  const t = Template.fromStack(stack);
  return Object.fromEntries(types.map((type) => [type, Object.keys(t.findResources(type)).length]));
}

const NONE = Object.fromEntries(LIFETIME_TYPES.map((t) => [t, 0]));

describe('SandboxLifetime: when it exists', () => {
  test('outside sandbox mode neither the time-to-live nor the budget exists, and a warning says the flags were ignored', () => {
    const { stack, lifetime } = build({ [TTL]: '4', [BUDGET]: '20', [EMAIL]: 'a@example.com' }, { sandbox: false });
    expect(lifetime).toBeUndefined();
    expect(countOf(stack)).toEqual(NONE);
    expect(stack.node.tryFindChild('SandboxLifetime')).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/TestStack', Match.stringLikeRegexp(
      `${TTL} and ${BUDGET} ignored: they apply only in sandbox mode \\(analytics-patterns:sandbox=true\\)`));
  });

  test('outside sandbox mode even invalid flag values add nothing and do not fail', () => {
    const { stack } = build({ [TTL]: 'forever', [BUDGET]: '-1' }, { sandbox: false });
    expect(countOf(stack)).toEqual(NONE);
  });

  test('sandbox mode without the flags: nothing is added and the template is exactly the one without the call', () => {
    const plain = testStack({ sandbox: true });
    new s3.Bucket(plain, 'Data');
    const applied = testStack({ sandbox: true });
    new s3.Bucket(applied, 'Data');
    expect(SandboxLifetime.apply(applied)).toBeUndefined();
    expect(Template.fromStack(applied).toJSON()).toEqual(Template.fromStack(plain).toJSON());
    Annotations.fromStack(applied).hasNoWarning('*', Match.anyValue());
  });

  test('each flag alone adds only its part; apply twice returns the same instance', () => {
    const ttlOnly = build({ [TTL]: '4' });
    expect(countOf(ttlOnly.stack)).toEqual({ ...NONE, 'AWS::Scheduler::ScheduleGroup': 1, 'AWS::StepFunctions::StateMachine': 2, 'AWS::Events::Rule': 1 });
    expect(ttlOnly.lifetime!.timeToLiveHours).toBe(4);
    expect(ttlOnly.lifetime!.budget).toBeUndefined();
    expect(SandboxLifetime.apply(ttlOnly.stack)).toBe(ttlOnly.lifetime);
    const budgetOnly = build({ [BUDGET]: '20', [EMAIL]: 'a@example.com' });
    expect(countOf(budgetOnly.stack)).toEqual({ ...NONE, 'AWS::Budgets::Budget': 1 });
    expect(budgetOnly.lifetime!.expiry).toBeUndefined();
    expect(budgetOnly.lifetime!.budgetUsd).toBe(20);
  });
});

describe('SandboxLifetime: stable logical ids', () => {
  test('the schedule group (holds the schedule) and the budget (holds its history) keep their logical ids', () => {
    const { stack, lifetime } = build({ [TTL]: '4', [BUDGET]: '20', [EMAIL]: 'a@example.com' });
    expect(stack.getLogicalId(lifetime!.expiry!.scheduleGroup.node.defaultChild as any)).toBe('SandboxLifetimeExpiryScheduleGroup5FA03177');
    expect(stack.getLogicalId(lifetime!.budget!.budget)).toBe('SandboxLifetimeBudget596A7205');
  });
});

describe('SandboxLifetime: validation of the time-to-live', () => {
  test.each([['1', 1], ['168', 168], [' 24 ', 24], [12, 12]])('%p hours is accepted', (value, hours) => {
    expect(build({ [TTL]: value }).lifetime!.timeToLiveHours).toBe(hours);
  });

  test.each(['0', '169', 0, 169])('%p hours is outside 1-168', (value) => {
    expectPropError(() => build({ [TTL]: value }), { path: 'TestStack', prop: TTL, value: `${value} hours`, allowed: '1-168 hours' });
  });

  test.each(['4.5', '4h', 'abc', '', '-1', 4.5, true, '1e2'])('%p is not a whole number of hours', (value) => {
    expectPropError(() => build({ [TTL]: value }), { path: 'TestStack', prop: TTL, allowed: 'a whole number' });
  });

  test('a stack with termination protection cannot delete itself', () => {
    const app = testApp({ sandbox: true, context: { [TTL]: '4' } });
    const stack = new Stack(app, 'Protected', { terminationProtection: true });
    expectPropError(() => SandboxLifetime.apply(stack), { path: 'Protected', prop: TTL, allowed: 'without termination protection' });
    const unprotected = new Stack(app, 'Unprotected', { terminationProtection: false });
    expect(SandboxLifetime.apply(unprotected)!.expiry).toBeDefined();
  });

  test('a stack deployed without a CloudFormation service role is refused (DeleteStack would run with the state machine\'s permissions)', () => {
    const app = testApp({ sandbox: true, context: { [TTL]: '4' } });
    const stack = new Stack(app, 'CliCredentials', { synthesizer: new CliCredentialsStackSynthesizer() });
    const msg = expectPropError(() => SandboxLifetime.apply(stack), { path: 'CliCredentials', prop: TTL, allowed: 'a stack deployed with a CloudFormation service role' });
    expect(msg).toContain('deliberately limited to DeleteStack on this stack');
  });

  test('a nested stack is refused (it is deleted with its parent)', () => {
    const parent = testStack({ sandbox: true, context: { [TTL]: '4' } });
    const nested = new NestedStack(parent, 'Nested');
    expectPropError(() => SandboxLifetime.apply(nested), { path: 'TestStack/Nested', prop: 'stack', allowed: 'a top-level stack' });
  });
});

describe('SandboxLifetime: validation of the budget', () => {
  test.each([['0.01', 0.01], ['25', 25], ['12.50', 12.5], ['.5', 0.5], [25, 25], [7.5, 7.5]])('%p USD is accepted', (value, amount) => {
    expect(build({ [BUDGET]: value, [EMAIL]: 'a@example.com' }).lifetime!.budgetUsd).toBe(amount);
  });

  test.each(['0', '0.00', 0, '-5', -5, '1e3', 'abc', '', '12,50', '$20', '1.2.3', true])('%p is not a positive amount AWS Budgets accepts', (value) => {
    expectPropError(() => build({ [BUDGET]: value, [EMAIL]: 'a@example.com' }), { path: 'TestStack', prop: BUDGET, allowed: 'an amount in US dollars above 0' });
  });

  test('a budget needs at least one e-mail address: the flag, else the app\'s addresses', () => {
    expectPropError(() => build({ [BUDGET]: '20' }), { path: 'TestStack', prop: EMAIL, allowed: '1-10 e-mail addresses' });
    const fromApp = build({ [BUDGET]: '20' }, { apply: { budgetEmails: ['ops@example.com'] } });
    expect(subscribers(fromApp.stack)).toEqual(['ops@example.com']);
    const fromFlag = build({ [BUDGET]: '20', [EMAIL]: 'me@example.com, you@example.com' }, { apply: { budgetEmails: ['ops@example.com'] } });
    expect(subscribers(fromFlag.stack)).toEqual(['me@example.com', 'you@example.com']);
  });

  test('e-mail addresses: at most 10, each an address, no repeats (flag and app addresses alike)', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `u${i}@example.com`);
    expect(subscribers(build({ [BUDGET]: '20', [EMAIL]: ten.join(',') }).stack)).toEqual(ten);
    expectPropError(() => build({ [BUDGET]: '20', [EMAIL]: [...ten, 'u10@example.com'].join(',') }), { path: 'TestStack', prop: EMAIL, allowed: '0-10 entries' });
    expectPropError(() => build({ [BUDGET]: '20', [EMAIL]: 'a@example.com,not-an-address' }), { path: 'TestStack', prop: EMAIL, value: 'not-an-address', allowed: 'an e-mail address' });
    expectPropError(() => build({ [BUDGET]: '20', [EMAIL]: 'a@example.com,a@example.com' }), { path: 'TestStack', prop: EMAIL, allowed: 'distinct entries' });
    expectPropError(() => build({ [BUDGET]: '20' }, { apply: { budgetEmails: ['ops'] } }), { path: 'TestStack', prop: 'budgetEmails[0]', allowed: 'an e-mail address' });
    expectPropError(() => build({ [BUDGET]: '20', [EMAIL]: 42 }), { path: 'TestStack', prop: EMAIL, allowed: 'a comma-separated string or a list' });
    expect(subscribers(build({ [BUDGET]: '20', [EMAIL]: ['a@example.com', 'b@example.com'] }).stack)).toEqual(['a@example.com', 'b@example.com']);
  });

  test('the budget name <stack>-<region>-sandbox stays within 100 characters (both sides)', () => {
    const longest = 'S'.repeat(100 - '-eu-west-1-sandbox'.length);
    expect(budgetProps(build({ [BUDGET]: '1', [EMAIL]: 'a@example.com' }, { id: longest }).stack).Budget.BudgetName).toBe(`${longest}-eu-west-1-sandbox`);
    expectPropError(() => build({ [BUDGET]: '1', [EMAIL]: 'a@example.com' }, { id: `${longest}S` }), {
      path: `${longest}S/SandboxLifetime/Budget`, prop: 'budget name (from the stack name)', value: `${longest}S-eu-west-1-sandbox`, allowed: '1-100 characters',
    });
  });

  test('an environment-agnostic stack puts the region in the name at deploy time (checked without it at synth)', () => {
    const app = testApp({ sandbox: true, context: { [BUDGET]: '1', [EMAIL]: 'a@example.com' } });
    const stack = new Stack(app, 'Agnostic');
    SandboxLifetime.apply(stack);
    expect(budgetProps(stack).Budget.BudgetName).toEqual({ 'Fn::Join': ['', ['Agnostic-', { Ref: 'AWS::Region' }, '-sandbox']] });
  });
});

function budgetProps(stack: Stack): any {
  return Object.values(Template.fromStack(stack).findResources('AWS::Budgets::Budget'))[0].Properties;
}

function subscribers(stack: Stack): string[] {
  return budgetProps(stack).NotificationsWithSubscribers[0].Subscribers.map((s: any) => s.Address);
}

describe('SandboxLifetime: the budget', () => {
  test('a monthly cost budget on the stack\'s cost allocation tag, credits excluded, alerts at 50 % / 100 % actual and 100 % forecast', () => {
    const { stack } = build({ [BUDGET]: '20', [EMAIL]: 'a@example.com' });
    const alert = (type: string, threshold: number) => ({
      Notification: { NotificationType: type, ComparisonOperator: 'GREATER_THAN', Threshold: threshold, ThresholdType: 'PERCENTAGE' },
      Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'a@example.com' }],
    });
    expect(budgetProps(stack)).toEqual({
      Budget: {
        BudgetName: 'TestStack-eu-west-1-sandbox',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 20, Unit: 'USD' },
        CostTypes: { IncludeCredit: false, IncludeRefund: false },
        FilterExpression: { Tags: { Key: 'analytics-patterns:sandbox-stack', Values: ['TestStack'], MatchOptions: ['EQUALS'] } },
      },
      NotificationsWithSubscribers: [alert('ACTUAL', 50), alert('ACTUAL', 100), alert('FORECASTED', 100)],
      ResourceTags: [{ Key: SandboxBudget.COST_TAG_KEY, Value: 'TestStack' }],
    });
  });

  test('the stack and the resources in it carry the cost allocation tag the budget filters on', () => {
    const { stack } = build({ [BUDGET]: '20', [EMAIL]: 'a@example.com' });
    const bucket = new s3.Bucket(stack, 'Data');
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', { Tags: Match.arrayWith([{ Key: 'analytics-patterns:sandbox-stack', Value: 'TestStack' }]) });
    expect(stack.tags.tagValues()).toEqual({ 'analytics-patterns:sandbox-stack': 'TestStack' });
    expect(bucket).toBeDefined();
  });
});

describe('SandboxLifetime: a time-to-live deletes everything the stack holds', () => {
  function stackWithData(context: Record<string, unknown>) {
    const stack = testStack({ sandbox: true, context });
    const retained = new s3.Bucket(stack, 'Retained');
    const emptied = new s3.Bucket(stack, 'Emptied', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const key = new kms.Key(stack, 'Key');
    const cluster = new CfnResource(stack, 'Cluster', { type: 'AWS::RDS::DBCluster', properties: { Engine: 'aurora-postgresql' } });
    SandboxLifetime.apply(stack);
    return { stack, retained, emptied, key, cluster };
  }

  test('with the time-to-live, RETAIN, SNAPSHOT and snapshot-by-default resources are deleted with the stack', () => {
    const { stack, retained, emptied, key } = stackWithData({ [TTL]: '4' });
    const t = Template.fromStack(stack).toJSON();
    const policyOf = (c: any) => {
      const r = t.Resources[stack.getLogicalId(c.node.defaultChild ?? c)];
      return `${r.DeletionPolicy}/${r.UpdateReplacePolicy}`;
    };
    expect([retained, emptied, key].map(policyOf)).toEqual(['Delete/Delete', 'Delete/Delete', 'Delete/Delete']);
    expect(t.Resources.Cluster.DeletionPolicy).toBe('Delete');
    const kept = Object.entries<any>(t.Resources).filter(([, r]) => /Retain|Snapshot/.test(`${r.DeletionPolicy}${r.UpdateReplacePolicy}`));
    expect(kept).toEqual([]);
  });

  test('a bucket that does not empty itself is named in a warning; one with autoDeleteObjects is not', () => {
    const { stack } = stackWithData({ [TTL]: '4' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('does not empty itself on deletion'));
    expect(warnings.map((w) => w.id)).toEqual(['/TestStack/Retained/Resource']);
  });

  test('without the time-to-live (budget only), retention is left as the constructs set it', () => {
    const { stack } = stackWithData({ [BUDGET]: '5', [EMAIL]: 'a@example.com' });
    const t = Template.fromStack(stack).toJSON();
    const retainedId = Object.keys(t.Resources).find((id) => id.startsWith('Retained'))!;
    expect(t.Resources[retainedId].DeletionPolicy).toBe('Retain');
    expect(t.Resources.Cluster.DeletionPolicy).toBeUndefined();
  });
});

describe('SandboxExpiry and SandboxBudget used directly check their props too', () => {
  test('hours: 1-168, and not a token (it is written into the definition)', () => {
    expect(new SandboxExpiry(testStack(), 'E', { hours: 168 }).scheduleArn).toBeDefined();
    expectPropError(() => new SandboxExpiry(testStack(), 'E', { hours: 169 }), { path: 'TestStack/E', prop: 'hours', value: '169 hours', allowed: '1-168 hours' });
    expectPropError(() => new SandboxExpiry(testStack(), 'E', { hours: 0 }), { path: 'TestStack/E', prop: 'hours', value: '0 hours', allowed: '1-168 hours' });
    const stack = testStack();
    expectPropError(() => new SandboxExpiry(stack, 'E', { hours: numberParameter(stack, 'Hours') }), { path: 'TestStack/E', prop: 'hours', allowed: 'not a token' });
  });

  test('amount above 0 (a token reaches the template), 1-10 e-mail addresses', () => {
    const ok = { amountUsd: 1, emails: ['a@example.com'] };
    expectPropError(() => new SandboxBudget(testStack(), 'B', { ...ok, amountUsd: 0 }), { path: 'TestStack/B', prop: 'amountUsd', value: '0', allowed: 'above 0' });
    expectPropError(() => new SandboxBudget(testStack(), 'B', { ...ok, emails: [] }), { path: 'TestStack/B', prop: 'emails', allowed: '1-10 entries' });
    const eleven = Array.from({ length: 11 }, (_, i) => `u${i}@example.com`);
    expectPropError(() => new SandboxBudget(testStack(), 'B', { ...ok, emails: eleven }), { path: 'TestStack/B', prop: 'emails', allowed: '1-10 entries' });
    expectPropError(() => new SandboxBudget(testStack(), 'B', { ...ok, emails: ['nobody'] }), { path: 'TestStack/B', prop: 'emails[0]', allowed: 'an e-mail address' });
    const stack = testStack();
    new SandboxBudget(stack, 'B', { ...ok, amountUsd: numberParameter(stack, 'Amount'), emails: eleven.slice(0, 10) });
    expectParameterUsed(Template.fromStack(stack), 'Amount', /Budget\.BudgetLimit\.Amount$/);
  });
});

describe('SandboxLifetime: compliance and CloudFormation validation', () => {
  test('cdk-nag clean in the four packs; every acknowledgement names its reason', () => {
    const { stack } = build({ [TTL]: '4', [BUDGET]: '20', [EMAIL]: 'a@example.com' });
    const report = expectNagClean(stack);
    const lines = acknowledgementLines(report, 'TestStack/SandboxLifetime/');
    expect(lines.filter((l) => l.startsWith('AwsSolutions-'))).toEqual([
      'AwsSolutions-IAM5[Resource::*] at Expiry/ArmRole/DefaultPolicy/Resource: [SandboxExpiry at TestStack/SandboxLifetime/Expiry] Step Functions X-Ray tracing actions (xray:PutTraceSegments and friends) only support Resource "*".',
      'AwsSolutions-IAM5[Resource::*] at Expiry/DeleteRole/DefaultPolicy/Resource: [SandboxExpiry at TestStack/SandboxLifetime/Expiry] Step Functions X-Ray tracing actions (xray:PutTraceSegments and friends) only support Resource "*".',
      expect.stringMatching(/^AwsSolutions-SF1 at Expiry\/ArmStateMachine\/Resource: .*execution history/),
      expect.stringMatching(/^AwsSolutions-SF1 at Expiry\/DeleteStateMachine\/Resource: .*execution history/),
    ]);
    expect(new Set(report.acknowledged.filter((a) => !a.rule.startsWith('AwsSolutions-')).map((a) => a.rule.replace(/^[^-]+-/, '')))).toEqual(new Set(['IAMNoInlinePolicy']));
  });

  test('aws-cdk-lib\'s built-in CloudFormation validation finds nothing in the time-to-live and the budget', () => {
    const { stack } = build({ [TTL]: '4', [BUDGET]: '20', [EMAIL]: 'a@example.com' }, { cfnValidation: true });
    expect(cfnValidationFindings(stack)).toEqual([]);
  }, 60_000);
});
