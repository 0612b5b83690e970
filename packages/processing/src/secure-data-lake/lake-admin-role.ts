import { AdministratorRole } from '@analytics-patterns/security';
import { Construct } from 'constructs';

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
 * tagged `analytics-patterns:lake-admin` = `true` (an `AdministratorRole`).
 *
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/getting-started-setup.html#create-data-lake-admin
 */
export class LakeAdminRole extends AdministratorRole {
  /** The principal tag that lets a principal of this account assume the role when no assumers are named. */
  public static readonly ADMIN_TAG = 'analytics-patterns:lake-admin';

  constructor(scope: Construct, id: string, props: LakeAdminRoleProps = {}) {
    super(scope, id, {
      adminTag: LakeAdminRole.ADMIN_TAG,
      assumerArns: props.assumerArns,
      description: props.description ?? 'Lake Formation data lake administrator',
    });
  }
}
