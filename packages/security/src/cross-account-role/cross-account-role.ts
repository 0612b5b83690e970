import { CustomerManagedPolicies, Limit, NagAcknowledgements, StsLimits, TimeUnit, Validate } from '@analytics-patterns/core';
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CrossAccountRoleProps } from './cross-account-role-props';

const SECONDS_PER_HOUR = 3600;

/**
 * An IAM role that principals of other accounts assume through STS for limited,
 * temporary access (notes 6.3): define the role (its permissions), define which
 * accounts can assume it (its trust policy), and callers use `sts:AssumeRole` to get
 * temporary credentials. The trust policy names the accounts (not `*`), can demand an
 * external id and MFA, and the session lasts one hour unless set otherwise.
 *
 * Each trusted account still decides which of its principals may call `sts:AssumeRole` on
 * this role: the trust policy delegates to the account, whose IAM policies must allow it.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html
 */
export class CrossAccountRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    super(scope, id);
    const sessionSeconds = this.validate(props);
    this.role = this.createRole(props, sessionSeconds);
    this.attachPermissions(props.statements);
    this.checkTrustPolicySize();
    CustomerManagedPolicies.apply(this);
  }

  private validate(props: CrossAccountRoleProps): number {
    Validate.that(this, !Token.isUnresolved(props.trustedAccountIds), {
      prop: 'trustedAccountIds',
      value: 'a list token',
      allowed: 'a list of account ids (each id may be a token)',
      hint: 'The trust policy names each account in its own statement, so the construct must know how many there are.',
    });
    const accounts = StsLimits.TRUSTED_ACCOUNTS;
    Validate.count(this, 'trustedAccountIds', accounts.min, accounts.max, props.trustedAccountIds);
    Validate.unique(this, 'trustedAccountIds', props.trustedAccountIds);
    props.trustedAccountIds.forEach((a, i) => Validate.resourceName(this, `trustedAccountIds[${i}]`, a, StsLimits.ACCOUNT_ID));
    Validate.resourceName(this, 'externalId', props.externalId, StsLimits.EXTERNAL_ID);
    Validate.resourceName(this, 'description', props.description, StsLimits.ROLE_DESCRIPTION);
    const statements = StsLimits.PERMISSION_STATEMENTS;
    Validate.count(this, 'statements', statements.min, statements.max, props.statements);
    return this.validateSession(props);
  }

  /** The session limit in seconds (a token stays a token). */
  private validateSession(props: CrossAccountRoleProps): number {
    const session = props.maxSessionDuration ?? Duration.hours(1);
    const limit = StsLimits.ROLE_MAX_SESSION_HOURS;
    if (!session.isUnresolved()) {
      Validate.duration(this, session, { prop: 'maxSessionDuration', in: TimeUnit.HOURS, ...limit });
      const chained = StsLimits.ROLE_CHAINING_MAX_SESSION_HOURS.max;
      Validate.that(this, !props.roleChaining || session.toHours({ integral: false }) <= chained, {
        prop: 'maxSessionDuration',
        value: session.toString(),
        allowed: `at most ${chained} hour with roleChaining`,
        hint: 'STS caps sessions of roles assumed with another role\'s credentials (role chaining) at one hour: '
          + 'see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining',
      });
    }
    return Validate.duration(this, session, {
      prop: 'maxSessionDuration', in: TimeUnit.SECONDS, integer: true, min: limit.min * SECONDS_PER_HOUR, max: limit.max * SECONDS_PER_HOUR,
    })!;
  }

  private createRole(props: CrossAccountRoleProps, sessionSeconds: number): iam.Role {
    const conditions: Record<string, Record<string, unknown>> = {};
    if (props.externalId !== undefined) conditions.StringEquals = { 'sts:ExternalId': props.externalId };
    if (props.requireMfa) conditions.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
    const principals = props.trustedAccountIds.map((a) => new iam.AccountPrincipal(a));
    const role = new iam.Role(this, 'Role', {
      description: props.description ?? 'Cross-account access role (analytics-patterns)',
      assumedBy: new iam.CompositePrincipal(...principals).withConditions(conditions),
      // the statements stay inline (as before) unless customer-managed policies are on
      inlinePolicies: CustomerManagedPolicies.isEnabled(this) ? undefined : { access: new iam.PolicyDocument({ statements: props.statements }) },
    });
    // Deliberately set on the L1: the L2 compares the Duration with its bounds, which fails for a
    // token; the value was checked above (or is a token given in seconds).
    (role.node.defaultChild as iam.CfnRole).maxSessionDuration = sessionSeconds;
    return role;
  }

  /** Customer-managed policy with the flag on; otherwise acknowledges the role's inline policy. */
  private attachPermissions(statements: iam.PolicyStatement[]): void {
    if (CustomerManagedPolicies.isEnabled(this)) {
      new iam.ManagedPolicy(this, 'Access', { statements, roles: [this.role] });
      this.checkPolicySize('statements', statements, StsLimits.MANAGED_POLICY_CHARS);
      return;
    }
    this.checkPolicySize('statements', statements, StsLimits.INLINE_ROLE_POLICIES_CHARS);
    NagAcknowledgements.acknowledgeCompliance(this.role, 'IAMNoInlinePolicy',
      'The role\'s one inline policy holds only the statements given in `statements` and is deleted with the role; '
      + `set the context flag ${CustomerManagedPolicies.CONTEXT_KEY}=true to make it a customer-managed policy.`);
  }

  /** Fails when the rendered statements (all resolved) exceed what IAM stores. */
  private checkPolicySize(prop: string, statements: iam.PolicyStatement[], limit: Limit): void {
    const rendered = Stack.of(this).resolve(new iam.PolicyDocument({ statements }).toJSON());
    const text = JSON.stringify(rendered);
    if (text.includes('"Ref"') || text.includes('"Fn::')) return; // sizes of deploy-time values are unknown
    Validate.number(this, text.length, { prop: `${prop} (policy size)`, ...limit });
  }

  /** Fails above IAM's hard maximum; warns above the default quota of trust policy size. */
  private checkTrustPolicySize(): void {
    const text = JSON.stringify(Stack.of(this).resolve(this.role.assumeRolePolicy!.toJSON()));
    if (text.includes('"Ref"') || text.includes('"Fn::')) return;
    Validate.number(this, text.length, { prop: 'trustedAccountIds (trust policy size)', ...StsLimits.TRUST_POLICY_CHARS });
    if (text.length > StsLimits.TRUST_POLICY_DEFAULT_QUOTA) {
      Annotations.of(this).addWarningV2('@analytics-patterns/security:TrustPolicySize',
        `The trust policy of ${this.node.path} has ${text.length} characters: IAM accepts more than ${StsLimits.TRUST_POLICY_DEFAULT_QUOTA} `
        + 'only after the quota "Role trust policy length" was raised (at most 4,096).');
    }
  }
}
