import { CustomerManagedPolicies, KmsLimits, Sandbox, TimeUnit, Validate } from '@analytics-patterns/core';
import { Annotations, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataKeyProps } from './data-key-props';

/** The checked settings of a key. */
interface KeySettings {
  readonly rotationDays?: number;
  readonly pendingDays: number;
  readonly aliasName?: string;
}

const CLOUDWATCH_LOGS_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/**
 * A customer-managed, symmetric KMS key for data at rest (notes 6.1).
 *
 * - Automatic rotation is on (the same key id keeps working; old key material is
 *   kept to decrypt old data).
 * - RETAINed by default: deleting a key makes everything encrypted with it
 *   unreadable. Sandbox mode schedules deletion with the shortest waiting period.
 * - Optionally usable by CloudWatch Logs for encrypted log groups.
 *
 * KMS encrypts at most 4 KB per call: services use it for envelope encryption
 * (a data key per object/shard), which is what S3, Kinesis and Firehose do here.
 */
export class DataKey extends Construct {
  /**
   * Lets CloudWatch Logs of the key's account and region encrypt log groups with `key`
   * (key policy statement scoped by the `kms:EncryptionContext:aws:logs:arn` condition to
   * log groups of that account and region). An imported key's policy is managed elsewhere:
   * the statement cannot be added, and a warning on the key says what its policy must allow.
   *
   * @returns whether the key policy allows it (false for an imported key)
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   */
  public static allowCloudWatchLogs(key: kms.IKey): boolean {
    if (key.node.tryFindChild('CloudWatchLogsAllowed')) return true;
    if (key.node.tryFindChild('CloudWatchLogsNotAllowed')) return false;
    const stack = Stack.of(key);
    const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const added = key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsEncryption',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: CLOUDWATCH_LOGS_ACTIONS,
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroups } },
    })).statementAdded;
    if (added) {
      new Construct(key, 'CloudWatchLogsAllowed');
    } else {
      new Construct(key, 'CloudWatchLogsNotAllowed');
      const where = Token.isUnresolved(logGroups) ? 'the log groups of its account and region' : logGroups;
      Annotations.of(key).addWarningV2('@analytics-patterns/security:CloudWatchLogsKeyPolicy',
        `${key.node.path} is imported, so its policy is managed elsewhere: its key policy must allow logs.${stack.region}.amazonaws.com `
        + `${CLOUDWATCH_LOGS_ACTIONS.join(', ')} with the condition ArnLike kms:EncryptionContext:aws:logs:arn ${where}, `
        + 'or log groups encrypted with it cannot be created.');
    }
    return added;
  }

  /** The KMS key. */
  public readonly key: kms.Key;
  /** The alias, if one was given. */
  public readonly alias?: kms.IAlias;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const settings = this.validate(props);
    this.key = this.createKey(props, settings);
    this.alias = settings.aliasName === undefined ? undefined : this.key.addAlias(settings.aliasName);
    if (props.allowCloudWatchLogs ?? true) DataKey.allowCloudWatchLogs(this.key);
    CustomerManagedPolicies.apply(this);
  }

  private validate(props: DataKeyProps): KeySettings {
    const rotationDays = Validate.duration(this, props.rotationPeriod, { prop: 'rotationPeriod', in: TimeUnit.DAYS, ...KmsLimits.ROTATION_PERIOD_DAYS });
    // default: the longest waiting period (most time to cancel a deletion); sandbox mode: the shortest
    const pendingDays = props.pendingWindow === undefined
      ? (Sandbox.isEnabled(this) ? KmsLimits.PENDING_WINDOW_DAYS.min : KmsLimits.PENDING_WINDOW_DAYS.max)
      : Validate.duration(this, props.pendingWindow, { prop: 'pendingWindow', in: TimeUnit.DAYS, ...KmsLimits.PENDING_WINDOW_DAYS })!;
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      Validate.number(this, props.description.length, { prop: 'description.length', ...KmsLimits.DESCRIPTION_CHARS });
    }
    const aliasName = aliasWithPrefix(props.alias);
    Validate.resourceName(this, 'alias', aliasName, KmsLimits.ALIAS_NAME);
    return { rotationDays, pendingDays, aliasName };
  }

  private createKey(props: DataKeyProps, settings: KeySettings): kms.Key {
    const key = new kms.Key(this, 'Key', {
      description: props.description ?? 'Customer-managed data key (analytics-patterns)',
      enableKeyRotation: true,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    // Deliberately set on the L1: the L2 compares these Durations with its own bounds, which
    // fails for tokens; the values were checked (or are tokens) above.
    const cfn = key.node.defaultChild as kms.CfnKey;
    cfn.rotationPeriodInDays = settings.rotationDays;
    cfn.pendingWindowInDays = settings.pendingDays;
    return key;
  }
}

/** The alias name with its `alias/` prefix (a token is taken as a full name). */
function aliasWithPrefix(alias: string | undefined): string | undefined {
  if (alias === undefined || Token.isUnresolved(alias)) return alias;
  return alias.startsWith('alias/') ? alias : `alias/${alias}`;
}
