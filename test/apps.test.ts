import { SandboxLifetime } from '@analytics-patterns/core';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApps, REFERENCE_APPS } from '../apps/main';
import { cycleIn } from '../packages/core/test/support/template-cycles';
import { acknowledgementLines, expectNagClean, testApp } from '@analytics-patterns/testing';

const STATEFUL = [
  'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Kinesis::Stream', 'AWS::Logs::LogGroup', 'AWS::Logs::LogStream', 'AWS::DynamoDB::Table',
  'AWS::SQS::Queue', 'AWS::Redshift::Cluster', 'AWS::RedshiftServerless::Namespace', 'AWS::Glue::Database', 'AWS::Glue::Table',
  'AWS::Athena::WorkGroup', 'AWS::OpenSearchService::Domain', 'AWS::MSK::Cluster',
];

function stacksOf(app: App): Stack[] {
  return app.node.children.filter((c): c is Stack => Stack.isStack(c));
}

describe('every reference app (apps/main.ts, what `npx cdk synth` builds)', () => {
  test('has unique stack names and at least the clickstream app', () => {
    const app = testApp();
    buildApps(app);
    const names = stacksOf(app).map((s) => s.stackName);
    expect(names).toContain('ClickstreamIngestion');
    expect(new Set(names).size).toBe(names.length);
  });

  test('retains every stateful resource by default', () => {
    const app = testApp();
    buildApps(app);
    for (const stack of stacksOf(app)) {
      const t = Template.fromStack(stack);
      for (const type of STATEFUL) {
        for (const [id, r] of Object.entries(t.findResources(type))) {
          expect(`${stack.stackName}/${id}: ${r.DeletionPolicy}`).toBe(`${stack.stackName}/${id}: Retain`);
        }
      }
    }
  });

  test('sandbox mode (one context flag) destroys every stateful resource and empties every bucket', () => {
    const app = testApp({ sandbox: true });
    buildApps(app);
    for (const stack of stacksOf(app)) {
      const t = Template.fromStack(stack);
      for (const type of STATEFUL) {
        for (const [id, r] of Object.entries(t.findResources(type))) {
          expect(`${stack.stackName}/${id}: ${r.DeletionPolicy}`).toBe(`${stack.stackName}/${id}: Delete`);
        }
      }
      const buckets = Object.keys(t.findResources('AWS::S3::Bucket')).length;
      expect(Object.keys(t.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(buckets);
    }
  });

  test('sandbox mode with a time-to-live and a budget: every stack deletes itself, retains nothing, has a budget; nag clean', () => {
    const app = testApp({
      sandbox: true,
      context: { [SandboxLifetime.TTL_CONTEXT_KEY]: '4', [SandboxLifetime.BUDGET_CONTEXT_KEY]: '20', [SandboxLifetime.BUDGET_EMAIL_CONTEXT_KEY]: 'lab@example.com' },
    });
    buildApps(app);
    for (const stack of stacksOf(app)) {
      const lifetime = SandboxLifetime.apply(stack)!;
      expect(`${stack.stackName}: ${lifetime.timeToLiveHours} h, ${lifetime.budgetUsd} USD`).toBe(`${stack.stackName}: 4 h, 20 USD`);
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
      t.resourceCountIs('AWS::Budgets::Budget', 1);
      const kept = Object.entries(t.toJSON().Resources as Record<string, any>)
        .filter(([, r]) => /Retain|Snapshot/.test(`${r.DeletionPolicy}/${r.UpdateReplacePolicy}`)).map(([id]) => `${stack.stackName}/${id}`);
      expect(kept).toEqual([]);
      expect(Object.keys(t.toJSON().Outputs)).toContain('SandboxExpirySchedule');
      // every resource depends on the delete state machine (deleted last): no dependency cycle
      expect({ stack: stack.stackName, cycle: cycleIn(t.toJSON()) }).toEqual({ stack: stack.stackName, cycle: [] });
    }
    expectNagClean(app);
  });

  test('cdk-nag, all four packs: zero unacknowledged findings across all apps; every acknowledgement listed per app', () => {
    const app = testApp();
    buildApps(app);
    const report = expectNagClean(app);
    expect([...new Set(report.acknowledged.map((a) => a.pack))].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
    for (const a of report.acknowledged) {
      // provenance: which construct acknowledged it, and a reason about this resource
      expect(`${a.rule} at ${a.path}: ${a.reason}`).toMatch(/: \[[^\]]+ at [^\]]+\] .{20,}/);
    }
    // the list a reviewer reads: a new acknowledgement changes the snapshot of its app
    for (const { stackName } of REFERENCE_APPS) {
      const own = { ...report, acknowledged: report.acknowledged.filter((a) => a.path.startsWith(`${stackName}/`)) };
      expect(own.acknowledged.length).toBeGreaterThan(0);
      expect(acknowledgementLines(own, `${stackName}/`))
        .toMatchSnapshot(stackName);
    }
  });
});
