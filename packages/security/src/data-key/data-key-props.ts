import { Duration } from 'aws-cdk-lib';

/** Props for {@link DataKey}. */
export interface DataKeyProps {
  /**
   * Alias for the key (without or with the `alias/` prefix; a token must include it).
   * Use an alias in applications so a manual rotation (new key) needs no code change.
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * Description shown in the KMS console (at most 8,192 characters).
   * @default 'Customer-managed data key (analytics-patterns)'
   */
  readonly description?: string;

  /**
   * Automatic rotation period: a whole number of days from 90 to 2,560 (a token must be
   * given in days, `Duration.days(param.valueAsNumber)`). AWS's default is 365 days.
   * (The notes say rotation is yearly: that was the only option until 2024.)
   * @default - 365 days (KMS's default)
   */
  readonly rotationPeriod?: Duration;

  /**
   * Waiting period before the key is deleted after its removal from the stack: a whole number
   * of days from 7 to 30 (a token must be given in days). Only relevant in sandbox mode;
   * otherwise the key is retained.
   * @default Duration.days(30), or Duration.days(7) in sandbox mode
   */
  readonly pendingWindow?: Duration;

  /**
   * Let CloudWatch Logs in this account and region use the key to encrypt log groups
   * (scoped by the `kms:EncryptionContext:aws:logs:arn` condition to this account's log groups).
   * @default true
   */
  readonly allowCloudWatchLogs?: boolean;
}
