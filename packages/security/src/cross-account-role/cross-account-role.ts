import { Validate } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Props for {@link CrossAccountRole}. */
export interface CrossAccountRoleProps {
  /** 12-digit ids of the accounts whose principals may assume the role (STS AssumeRole). */
  readonly trustedAccountIds: string[];
  /**
   * External id the caller must pass (protects against the confused-deputy problem
   * when a third party assumes the role). 2-1,224 characters of `[\w+=,.@:/-]`.
   * @default - none
   */
  readonly externalId?: string;
  /**
   * Require that the caller signed in with MFA (`aws:MultiFactorAuthPresent`).
   * @default false
   */
  readonly requireMfa?: boolean;
  /**
   * Longest session the role allows: 1 to 12 hours. (The notes' "up to 1 h" is the
   * default, and the cap for role chaining; a role may allow up to 12 h.)
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
  /** What the role may do: least-privilege statements scoped to resource ARNs. */
  readonly statements: iam.PolicyStatement[];
  /**
   * Description.
   * @default - 'Cross-account access role (analytics-patterns)'
   */
  readonly description?: string;
}

/**
 * An IAM role that principals of other accounts assume through STS for limited,
 * temporary access (notes 6.3): define the role (its permissions), define which
 * accounts can assume it (its trust policy), and callers use `sts:AssumeRole` to get
 * temporary credentials. The trust policy names the accounts (not `*`), can demand an
 * external id and MFA, and the session lasts one hour unless set otherwise.
 */
export class CrossAccountRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    super(scope, id);
    Validate.count(this, 'trustedAccountIds', 1, 100, props.trustedAccountIds);
    Validate.unique(this, 'trustedAccountIds', props.trustedAccountIds);
    props.trustedAccountIds.forEach((a, i) => Validate.pattern(this, `trustedAccountIds[${i}]`, '^\\d{12}$', 'a 12-digit AWS account id', a));
    if (props.externalId !== undefined) {
      Validate.pattern(this, 'externalId', '^[\\w+=,.@:/-]{2,1224}$', '2-1224 characters of letters, digits and +=,.@:/-_', props.externalId);
    }
    const session = props.maxSessionDuration ?? Duration.hours(1);
    Validate.range(this, 'maxSessionDuration', 1, 12, session.toHours({ integral: false }), 'hours');
    Validate.count(this, 'statements', 1, 1000, props.statements);

    const conditions: Record<string, Record<string, unknown>> = {};
    if (props.externalId !== undefined) conditions.StringEquals = { 'sts:ExternalId': props.externalId };
    if (props.requireMfa) conditions.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
    const principals = props.trustedAccountIds.map((a) => new iam.AccountPrincipal(a));
    this.role = new iam.Role(this, 'Role', {
      description: props.description ?? 'Cross-account access role (analytics-patterns)',
      assumedBy: new iam.CompositePrincipal(...principals).withConditions(conditions),
      maxSessionDuration: session,
      inlinePolicies: { access: new iam.PolicyDocument({ statements: props.statements }) },
    });
  }
}
