import { Validate } from '@analytics-patterns/core';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** An IAM role or user ARN (with an optional path), the principals `aws:PrincipalArn` names. */
const IAM_PRINCIPAL_ARN = '^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/.+$';

/** Props for {@link LakeAdminRole}. */
export interface LakeAdminRoleProps {
  /**
   * The IAM roles or users (ARNs, paths included) that may assume the role; the trust policy
   * matches them with `aws:PrincipalArn`, and each still needs `sts:AssumeRole` in its own
   * identity policy. Tokens are accepted.
   * @default - principals of this account tagged `analytics-patterns:lake-admin` = `true`
   *   (`LakeAdminRole.ADMIN_TAG`); tagging a role or user takes an IAM administrator
   */
  readonly assumerArns?: string[];

  /**
   * Description of the role.
   * @default 'Lake Formation data lake administrator'
   */
  readonly description?: string;
}

/**
 * An IAM role to name as a Lake Formation data lake administrator
 * (`SecureDataLake`'s `admins`, notes 3.2). A lake administrator can grant itself any data in
 * the catalog, so the role never trusts the whole account: only the principals named in
 * `assumerArns` may assume it, or, when none are named, only principals an IAM administrator
 * tagged `analytics-patterns:lake-admin` = `true`. A principal of the account that may call
 * `sts:AssumeRole` on any role is not enough.
 *
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/getting-started-setup.html#create-data-lake-admin
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
export class LakeAdminRole extends iam.Role {
  /** The principal tag that lets a principal of this account assume the role when no assumers are named. */
  public static readonly ADMIN_TAG = 'analytics-patterns:lake-admin';

  constructor(scope: Construct, id: string, props: LakeAdminRoleProps = {}) {
    const assumers = props.assumerArns ?? [];
    const condition = assumers.length > 0
      ? { ArnEquals: { 'aws:PrincipalArn': assumers } }
      : { StringEquals: { [`aws:PrincipalTag/${LakeAdminRole.ADMIN_TAG}`]: 'true' } };
    super(scope, id, {
      description: props.description ?? 'Lake Formation data lake administrator',
      assumedBy: new iam.AccountPrincipal(Stack.of(scope).account).withConditions(condition),
    });
    // a list token (a CommaDelimitedList parameter) is checked by IAM at deploy time
    if (!Token.isUnresolved(assumers)) {
      assumers.forEach((arn, i) => Validate.pattern(this, `assumerArns[${i}]`, IAM_PRINCIPAL_ARN, 'an IAM role or user ARN', arn));
    }
  }
}
