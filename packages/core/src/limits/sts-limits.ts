import { Limit, NameRule } from '../validation/limit';

/** Documented limits of AWS STS sessions and the IAM roles they assume. */
export class StsLimits {
  /**
   * Longest session a role allows (its `MaxSessionDuration`): 1 to 12 hours, a whole number of
   * seconds in the template (3,600-43,200).
   * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
   */
  public static readonly ROLE_MAX_SESSION_HOURS: Limit = { min: 1, max: 12, unit: 'hours' };

  /**
   * Longest session STS grants to a role assumed with the temporary credentials of another
   * role (role chaining), whatever the role's `MaxSessionDuration` says.
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
   */
  public static readonly ROLE_CHAINING_MAX_SESSION_HOURS: Limit = { min: 1, max: 1, unit: 'hours' };

  /**
   * External id a caller passes to `sts:AssumeRole`.
   * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
   */
  public static readonly EXTERNAL_ID: NameRule = {
    pattern: '^[\\w+=,.@:/-]+$',
    description: 'letters, digits and +=,.@:/-_',
    minLength: 2,
    maxLength: 1224,
  };

  /**
   * An AWS account id.
   * @see https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html
   */
  public static readonly ACCOUNT_ID: NameRule = { pattern: '^\\d{12}$', description: 'a 12-digit AWS account id', minLength: 12, maxLength: 12 };

  /**
   * Characters of a role trust policy (whitespace not counted): 2,048 by default, an adjustable
   * quota that can be raised to at most 4,096.
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  public static readonly TRUST_POLICY_CHARS: Limit = { min: 1, max: 4096, unit: 'characters', integer: true };

  /** Default quota of {@link TRUST_POLICY_CHARS}, above which IAM rejects the role unless the quota was raised. */
  public static readonly TRUST_POLICY_DEFAULT_QUOTA = 2048;

  /**
   * Role description.
   * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
   */
  public static readonly ROLE_DESCRIPTION: NameRule = {
    pattern: '^[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*$',
    description: 'printable Latin-1 characters',
    minLength: 0,
    maxLength: 1000,
  };

  /**
   * Accounts named in one trust policy. IAM limits the trust policy's size
   * ({@link TRUST_POLICY_CHARS}), not the count; 100 is this library's bound (100 account
   * principals alone take more than the 2,048 characters of the default quota).
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  public static readonly TRUSTED_ACCOUNTS: Limit = { min: 1, max: 100, unit: 'accounts', integer: true };

  /**
   * Characters of all inline policies of one role together (whitespace not counted).
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  public static readonly INLINE_ROLE_POLICIES_CHARS: Limit = { min: 1, max: 10240, unit: 'characters', integer: true };

  /**
   * Characters of one customer-managed policy (whitespace not counted).
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  public static readonly MANAGED_POLICY_CHARS: Limit = { min: 1, max: 6144, unit: 'characters', integer: true };

  /**
   * Statements of a role's permissions: at least one; 1,000 is this library's bound (each
   * statement takes more than ten of the characters {@link INLINE_ROLE_POLICIES_CHARS} allows).
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  public static readonly PERMISSION_STATEMENTS: Limit = { min: 1, max: 1000, unit: 'statements', integer: true };

  private constructor() {}
}
