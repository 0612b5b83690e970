import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag (v3) AwsSolutions finding on one construct, with a reason.
 *
 * cdk-nag 3 reads CDK's native `Validations.of(scope).acknowledge()`; the rule id
 * must carry the `AwsSolutions::` prefix or nothing is acknowledged. This helper
 * adds the prefix and refuses empty or generic reasons, so every acknowledgement
 * in the library says why the rule does not apply to that resource.
 */
export class NagAcknowledgements {
  /**
   * @param scope the construct the finding is reported on (or a parent of it)
   * @param rule the rule id, e.g. `AwsSolutions-KDF1`, optionally with a finding
   *   suffix such as `AwsSolutions-IAM5[Action::s3:GetObject*]`
   * @param reason why the rule does not apply to this resource (at least 20 characters)
   */
  public static acknowledge(scope: IConstruct, rule: string, reason: string): void {
    if (!/^AwsSolutions-[A-Za-z]+\d+(\[.+\])?$/.test(rule)) {
      throw new Error(`[${scope.node.path}] invalid cdk-nag rule id ${JSON.stringify(rule)}. Allowed: AwsSolutions-<RULE><N>[<finding>]`);
    }
    if (reason.trim().length < 20) {
      throw new Error(`[${scope.node.path}] acknowledgement of ${rule} needs a specific reason (at least 20 characters), got ${JSON.stringify(reason)}`);
    }
    Validations.of(scope).acknowledge({ id: `AwsSolutions::${rule}`, reason });
  }

  private constructor() {}
}
