import { runNag, testApp } from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CustomerManagedPolicies, NagPackName } from '../src';

class Pattern extends Construct {
  public readonly role: iam.Role;
  public readonly queue: sqs.Queue;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.queue = new sqs.Queue(this, 'Queue', { enforceSSL: true });
    this.queue.grantConsumeMessages(this.role);
    const waiter = new sqs.Queue(this, 'Waiter', { enforceSSL: true });
    waiter.node.addDependency(this.role);
    CustomerManagedPolicies.apply(this);
  }
}

const COMPLIANCE = [NagPackName.NIST_800_53_R5, NagPackName.HIPAA_SECURITY, NagPackName.PCI_DSS_321];

describe('CustomerManagedPolicies', () => {
  test('off (default): the inline policy stays and IAMNoInlinePolicy is acknowledged in the three packs, naming the switch', () => {
    const app = testApp();
    const stack = new Stack(app, 'S');
    const p = new Pattern(stack, 'P');
    const policyId = stack.getLogicalId(p.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy);
    const report = runNag(app, COMPLIANCE);
    expect(report.findings.filter((f) => f.rule.endsWith('IAMNoInlinePolicy'))).toEqual([]);
    const acks = report.acknowledged.filter((a) => a.rule.endsWith('IAMNoInlinePolicy'));
    expect(acks.map((a) => a.rule).sort()).toEqual(['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']);
    expect(acks[0].reason).toContain('analytics-patterns:customer-managed-policies=true');
    expect(Template.fromStack(stack).toJSON().Resources[policyId].Type).toBe('AWS::IAM::Policy');
  });

  test('on: the same document, roles and logical id as a customer-managed policy; dependants still wait for it; the rule passes', () => {
    const app = testApp({ context: { [CustomerManagedPolicies.CONTEXT_KEY]: 'true' } });
    const stack = new Stack(app, 'S');
    const p = new Pattern(stack, 'P');
    const policyId = stack.getLogicalId(p.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy);
    const t = Template.fromStack(stack).toJSON();
    expect(t.Resources[policyId]).toMatchObject({
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: { Roles: [{ Ref: stack.getLogicalId(p.role.node.defaultChild as iam.CfnRole) }] },
    });
    expect(t.Resources[policyId].Properties.PolicyDocument.Statement[0].Action).toContain('sqs:ReceiveMessage');
    expect(Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')).toEqual([]);
    const waiter = Object.entries<any>(t.Resources).find(([id]) => id.startsWith('PWaiter'))![1];
    expect(waiter.DependsOn).toContain(policyId);
    const nagApp = testApp({ context: { [CustomerManagedPolicies.CONTEXT_KEY]: true } });
    new Pattern(new Stack(nagApp, 'S'), 'P');
    const report = runNag(nagApp, COMPLIANCE);
    expect(report.findings.filter((f) => f.rule.endsWith('IAMNoInlinePolicy'))).toEqual([]);
    expect(report.acknowledged.filter((a) => a.rule.endsWith('IAMNoInlinePolicy'))).toEqual([]);
  });
});
