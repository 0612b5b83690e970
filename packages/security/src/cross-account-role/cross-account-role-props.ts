import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Props for {@link CrossAccountRole}. */
export interface CrossAccountRoleProps {
  /**
   * 12-digit ids of the accounts whose principals may assume the role (STS AssumeRole):
   * 1-100 distinct ids (an id may be a token; the list itself may not).
   */
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
   * Longest session the role allows: 1 to 12 hours, a whole number of seconds (a token must be
   * given in seconds, `Duration.seconds(param.valueAsNumber)`). (The notes' "up to 1 h" is the
   * default, and the cap for role chaining; a role may allow up to 12 h.)
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
  /**
   * Whether callers assume this role with the temporary credentials of another role (role
   * chaining, e.g. a role of the trusted account's IAM Identity Center). STS caps such sessions
   * at one hour whatever `maxSessionDuration` says, so a longer `maxSessionDuration` is refused.
   * @default false
   */
  readonly roleChaining?: boolean;
  /** What the role may do: least-privilege statements scoped to resource ARNs. */
  readonly statements: iam.PolicyStatement[];
  /**
   * Description (at most 1,000 characters).
   * @default - 'Cross-account access role (analytics-patterns)'
   */
  readonly description?: string;
}
