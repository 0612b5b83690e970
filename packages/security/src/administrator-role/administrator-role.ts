import { Validate } from '@analytics-patterns/core';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** An IAM role or user ARN (with an optional path), the principals `aws:PrincipalArn` names. */
const IAM_PRINCIPAL_ARN = '^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/.+$';
/** A principal tag key IAM accepts (1-128 characters of letters, digits, spaces and _.:/=+-@). */
const TAG_KEY = '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}$';

/** Props for {@link AdministratorRole}. */
export interface AdministratorRoleProps {
  /**
   * The principal tag that lets a principal of this account assume the role when no
   * `assumerArns` are named (its value must be `true`). Known at synth: it becomes part of
   * the condition key `aws:PrincipalTag/<tag>`.
   */
  readonly adminTag: string;

  /**
   * The IAM roles or users (ARNs, paths included) that may assume the role; the trust policy
   * matches them with `aws:PrincipalArn`, and each still needs `sts:AssumeRole` in its own
   * identity policy. Tokens are accepted.
   * @default - principals of this account tagged `adminTag` = `true`
   */
  readonly assumerArns?: string[];

  /**
   * Description of the role.
   * @default - none
   */
  readonly description?: string;
}

/**
 * An IAM role that administers something powerful (a data lake, a search domain's security),
 * assumable in this account only by the principals named in `assumerArns`, or, when none are
 * named, only by principals an IAM administrator tagged `adminTag` = `true`. It never trusts
 * the whole account: a principal that may call `sts:AssumeRole` on any role is not enough.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag
 */
export class AdministratorRole extends iam.Role {
  /** The principal tag that lets a principal assume the role when no assumers are named. */
  public readonly adminTag: string;

  constructor(scope: Construct, id: string, props: AdministratorRoleProps) {
    const assumers = props.assumerArns ?? [];
    const condition = assumers.length > 0
      ? { ArnEquals: { 'aws:PrincipalArn': assumers } }
      : { StringEquals: { [`aws:PrincipalTag/${props.adminTag}`]: 'true' } };
    super(scope, id, {
      description: props.description,
      assumedBy: new iam.AccountPrincipal(Stack.of(scope).account).withConditions(condition),
    });
    this.adminTag = props.adminTag;
    // the tag is part of a condition key, and CloudFormation cannot compute a key: it must be known at synth
    Validate.that(this, !Token.isUnresolved(props.adminTag), {
      prop: 'adminTag', value: 'a token', allowed: 'a tag key known at synth (it becomes part of the condition key aws:PrincipalTag/<tag>)',
    });
    if (!new RegExp(TAG_KEY, 'u').test(props.adminTag)) {
      Validate.fail(this, { prop: 'adminTag', value: props.adminTag, allowed: '1-128 letters, digits, spaces and _.:/=+-@ (an IAM tag key)' });
    }
    // a list token (a CommaDelimitedList parameter) is checked by IAM at deploy time
    if (!Token.isUnresolved(assumers)) {
      assumers.forEach((arn, i) => Validate.pattern(this, `assumerArns[${i}]`, IAM_PRINCIPAL_ARN, 'an IAM role or user ARN', arn));
    }
  }
}
