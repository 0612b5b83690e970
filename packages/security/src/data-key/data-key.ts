import { Sandbox, Validate } from '@analytics-patterns/core';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataKeyProps } from './data-key-props';

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
   * (key policy statement scoped by the `kms:EncryptionContext:aws:logs:arn` condition).
   * Has no effect on imported keys, whose policy is managed elsewhere: such a key must
   * already allow `logs.<region>.amazonaws.com`.
   *
   * @returns whether the statement was added
   */
  public static allowCloudWatchLogs(key: kms.IKey): boolean {
    const stack = Stack.of(key);
    const sid = 'AllowCloudWatchLogsEncryption';
    const existing = (key instanceof kms.Key) && key.node.tryFindChild('CloudWatchLogsAllowed');
    if (existing) return true;
    const result = key.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        },
      },
    }));
    if (result.statementAdded && key instanceof kms.Key) new Construct(key, 'CloudWatchLogsAllowed');
    return result.statementAdded;
  }

  /** The KMS key. */
  public readonly key: kms.Key;
  /** The alias, if one was given. */
  public readonly alias?: kms.IAlias;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const rotationDays = props.rotationPeriod?.toDays();
    Validate.integer(this, 'rotationPeriod', 90, 2560, rotationDays, 'days');
    const sandbox = Sandbox.isEnabled(this);
    const pendingWindow = props.pendingWindow ?? Duration.days(sandbox ? 7 : 30);
    Validate.integer(this, 'pendingWindow', 7, 30, pendingWindow.toDays(), 'days');
    if (props.alias !== undefined) {
      Validate.pattern(this, 'alias', '^(?!(alias/)?aws/)(alias/)?[a-zA-Z0-9:/_-]{1,250}$',
        'letters, digits, "/", "_", "-" and ":" (at most 256 characters, not starting with "alias/aws/")', props.alias);
    }

    this.key = new kms.Key(this, 'Key', {
      description: props.description ?? 'Customer-managed data key (analytics-patterns)',
      enableKeyRotation: true,
      rotationPeriod: props.rotationPeriod,
      removalPolicy: Sandbox.removalPolicy(this),
      pendingWindow,
    });

    if (props.alias !== undefined) {
      const name = props.alias.startsWith('alias/') ? props.alias : `alias/${props.alias}`;
      this.alias = this.key.addAlias(name);
    }

    if (props.allowCloudWatchLogs ?? true) {
      DataKey.allowCloudWatchLogs(this.key);
    }
  }
}
