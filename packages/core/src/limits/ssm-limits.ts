import { Limit } from '../validation/limit';

/** Limits of AWS Systems Manager Run Command. */
export class SsmLimits {
  /**
   * `executionTimeout` of the `AWS-RunShellScript` document: 1 second to 48 hours.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html
   */
  public static readonly RUN_SHELL_SCRIPT_TIMEOUT_SECONDS: Limit = { min: 1, max: 172_800, unit: 'seconds', integer: true };

  /**
   * Tag key of a Run Command target (`tag:<key>`): 1-128 characters.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html
   */
  public static readonly TARGET_TAG_KEY_LENGTH: Limit = { min: 1, max: 128, unit: 'characters', integer: true };

  private constructor() {}
}
