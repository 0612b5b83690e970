import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { NagAcknowledgements } from './nag';

/**
 * The one switch for the compliance packs' `IAMNoInlinePolicy` rule (NIST 800-53 R5, HIPAA
 * Security, PCI DSS 3.2.1).
 *
 * Every construct of this library calls {@link CustomerManagedPolicies.apply} on itself.
 * By default the identity policies it creates stay inline (`AWS::IAM::Policy`, attached to
 * the one role the construct made for one purpose) and the rule is acknowledged with a
 * reason that names the switch. With the context flag
 * `analytics-patterns:customer-managed-policies=true` (or
 * `CustomerManagedPolicies.enable(app)`), each of those policies becomes a customer-managed
 * policy (`AWS::IAM::ManagedPolicy`) with the same document, roles and logical id, so
 * resources that wait for it keep waiting for it.
 *
 * Cost of turning it on: none in money; a customer-managed policy document is limited to
 * 6,144 characters (an inline role policy to 10,240 in total), and each counts towards the
 * account's quota of customer-managed policies (1,500 by default).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export class CustomerManagedPolicies {
  /** The context key that turns customer-managed policies on for a whole app. */
  public static readonly CONTEXT_KEY = 'analytics-patterns:customer-managed-policies';

  /** Whether customer-managed policies are on for `scope`. */
  public static isEnabled(scope: IConstruct): boolean {
    const value = scope.node.tryGetContext(CustomerManagedPolicies.CONTEXT_KEY);
    return value === true || value === 'true';
  }

  /**
   * Turns customer-managed policies on for everything under `scope` (same as the context
   * flag). Call it before adding children to `scope` (construct context can only be set then),
   * e.g. on the App before its stacks.
   */
  public static enable(scope: IConstruct): void {
    scope.node.setContext(CustomerManagedPolicies.CONTEXT_KEY, true);
  }

  /**
   * Converts (flag on) or acknowledges (flag off) every inline identity policy under
   * `scope`, at synthesis, so policies that grants add later are covered too.
   */
  public static apply(scope: IConstruct): void {
    Aspects.of(scope).add(new InlinePolicyAspect());
  }

  private constructor() {}
}

const CONVERTED = 'CustomerManaged';

class InlinePolicyAspect implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) return;
    if (!CustomerManagedPolicies.isEnabled(node)) {
      NagAcknowledgements.acknowledgeCompliance(node, 'IAMNoInlinePolicy',
        `Inline policy of a role this construct created for one purpose, deleted with it; set the context flag ${CustomerManagedPolicies.CONTEXT_KEY}=true to make it a customer-managed policy.`);
      return;
    }
    const parent = node.node.scope!;
    if (parent.node.tryFindChild(CONVERTED)) return;
    // L1 on purpose: it takes the inline policy's rendered document and principals as they are, and keeps its logical id
    const managed = new iam.CfnManagedPolicy(parent, CONVERTED, {
      policyDocument: node.policyDocument,
      roles: node.roles,
      users: node.users,
      groups: node.groups,
      description: `Customer-managed form of ${parent.node.path} (${CustomerManagedPolicies.CONTEXT_KEY})`,
    });
    managed.overrideLogicalId(Stack.of(node).getLogicalId(node));
    parent.node.tryRemoveChild(node.node.id);
  }
}
