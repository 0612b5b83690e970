import {
  CustomerManagedPolicies, DynamoDbCapacity, DynamoDbLimits, DynamoDbReadWorkload, DynamoDbWriteWorkload, NagAcknowledgements, Sandbox, TimeUnit,
  Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { TableWorkload, WorkloadSizedTableProps } from './workload-sized-table-props';

const READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'];
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];
const DEFAULT_MAX_MULTIPLIER = 4;
const DEFAULT_TARGET_PERCENT = 70;

/**
 * A DynamoDB table sized from its workload (notes 2.3).
 *
 * Without a workload it is on-demand. With one, its provisioned read and write
 * capacity come from `DynamoDbCapacity` (1 WCU = one write/s of up to 1 KB;
 * 1 RCU = one strongly consistent or two eventually consistent reads/s of up to
 * 4 KB; item sizes round up), with target-tracking auto scaling above that floor.
 * The capacity is computed at synth: a workload given as tokens is refused (say so
 * with on-demand capacity instead), never computed into garbage.
 *
 * Secure and durable by default: encrypted with a customer-managed key,
 * point-in-time recovery (35 days), deletion protection, RETAIN (sandbox mode:
 * DESTROY, no deletion protection). Grants give data access over TLS and the key only
 * through DynamoDB (`kms:ViaService`).
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html
 */
export class WorkloadSizedTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;
  /** The key that encrypts the table. */
  public readonly encryptionKey: kms.IKey;
  /** Provisioned read capacity units, if provisioned. */
  public readonly readCapacity?: number;
  /** Provisioned write capacity units, if provisioned. */
  public readonly writeCapacity?: number;

  constructor(scope: Construct, id: string, props: WorkloadSizedTableProps) {
    super(scope, id);
    const pitrDays = this.validate(props);
    if (props.workload) {
      this.readCapacity = Math.max(1, DynamoDbCapacity.readCapacityUnits(props.workload.reads));
      this.writeCapacity = Math.max(1, DynamoDbCapacity.writeCapacityUnits(props.workload.writes));
    }
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.table = this.createTable(props, pitrDays);
    this.configureAutoScaling(props);
    this.configureBackup(props.backupPlan);
    this.warnAboutQuotas(props);
    CustomerManagedPolicies.apply(this);
  }

  /** Grants reading items (GetItem, Query, Scan, ...) over TLS, and the key through DynamoDB. */
  public grantReadData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(grantee, READ_ACTIONS, KEY_READ_ACTIONS);
  }

  /** Grants writing items (PutItem, UpdateItem, DeleteItem, batches) over TLS, and the key through DynamoDB. */
  public grantWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(grantee, WRITE_ACTIONS, [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS]);
  }

  /** Grants reading and writing items over TLS, and the key through DynamoDB. */
  public grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(grantee, [...new Set([...READ_ACTIONS, ...WRITE_ACTIONS])], [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS]);
  }

  private grantData(grantee: iam.IGrantable, actions: string[], keyActions: string[]): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn], conditions: { Bool: { 'aws:SecureTransport': 'true' } } });
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: keyActions,
      resources: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    }));
    return grant;
  }

  /** @returns the point-in-time recovery window in days (a token stays a token) */
  private validate(props: WorkloadSizedTableProps): number {
    const pitrDays = Validate.duration(this, props.pointInTimeRecoveryPeriod ?? Duration.days(35),
      { prop: 'pointInTimeRecoveryPeriod', in: TimeUnit.DAYS, ...DynamoDbLimits.PITR_RECOVERY_PERIOD_DAYS })!;
    Validate.that(this, props.workload !== undefined || props.autoScaling === undefined, {
      prop: 'autoScaling', value: 'given', allowed: 'only together with workload (on-demand tables scale by themselves)',
    });
    const scaling = props.autoScaling ?? {};
    requireKnown(this, 'autoScaling.maxMultiplier', scaling.maxMultiplier, 'the maximum capacity is the computed capacity times it');
    Validate.number(this, scaling.maxMultiplier, { prop: 'autoScaling.maxMultiplier', ...DynamoDbLimits.AUTO_SCALING_MULTIPLIER });
    Validate.number(this, scaling.targetUtilizationPercent, { prop: 'autoScaling.targetUtilizationPercent', ...DynamoDbLimits.TARGET_UTILIZATION_PERCENT });
    Validate.resourceName(this, 'partitionKey.name', props.partitionKey.name, DynamoDbLimits.KEY_ATTRIBUTE_NAME);
    Validate.resourceName(this, 'sortKey.name', props.sortKey?.name, DynamoDbLimits.KEY_ATTRIBUTE_NAME);
    Validate.resourceName(this, 'timeToLiveAttribute', props.timeToLiveAttribute, DynamoDbLimits.KEY_ATTRIBUTE_NAME);
    Validate.resourceName(this, 'tableName', props.tableName, DynamoDbLimits.TABLE_NAME);
    if (props.workload) validateWorkload(this, props.workload);
    return pitrDays;
  }

  private createTable(props: WorkloadSizedTableProps, pitrDays: number): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      billingMode: props.workload ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
      readCapacity: this.readCapacity,
      writeCapacity: this.writeCapacity,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      deletionProtection: !Sandbox.isEnabled(this),
      timeToLiveAttribute: props.timeToLiveAttribute,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    // Deliberately on the L1: the L2 compares the recovery period with its bounds, which fails for a
    // token; the value was checked above (or is a token given in days).
    const cfn = table.node.defaultChild as dynamodb.CfnTable;
    cfn.pointInTimeRecoverySpecification = { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: pitrDays };
    return table;
  }

  /** Target tracking from the computed capacity to `maxMultiplier` times it. */
  private configureAutoScaling(props: WorkloadSizedTableProps): void {
    if (this.readCapacity === undefined || this.writeCapacity === undefined) return;
    const max = props.autoScaling?.maxMultiplier ?? DEFAULT_MAX_MULTIPLIER;
    const target = props.autoScaling?.targetUtilizationPercent ?? DEFAULT_TARGET_PERCENT;
    const read = this.table.autoScaleReadCapacity({ minCapacity: this.readCapacity, maxCapacity: Math.ceil(this.readCapacity * max) });
    const write = this.table.autoScaleWriteCapacity({ minCapacity: this.writeCapacity, maxCapacity: Math.ceil(this.writeCapacity * max) });
    for (const attribute of [read, write]) {
      // the L2 compares the target with its bounds, which fails for a token: a token target is set on the L1
      attribute.scaleOnUtilization({ targetUtilizationPercent: Token.isUnresolved(target) ? DEFAULT_TARGET_PERCENT : target });
      if (Token.isUnresolved(target)) setTargetValue(attribute as unknown as IConstruct, target);
    }
  }

  /** Adds the table to the plan, or acknowledges the compliance rule naming the prop. */
  private configureBackup(plan?: backup.IBackupPlan): void {
    if (plan) {
      const selection = new backup.BackupSelection(this, 'BackupSelection', {
        backupPlan: plan,
        resources: [backup.BackupResource.fromDynamoDbTable(this.table)],
      });
      NagAcknowledgements.acknowledge(selection, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        'The role AWS Backup assumes for this selection uses the service-role policy AWS Backup documents for creating backups; it is assumed by AWS Backup only.');
      return;
    }
    NagAcknowledgements.acknowledgeCompliance(this.table, 'DynamoDBInBackupPlan',
      'Point-in-time recovery keeps up to 35 days of continuous backups; set the `backupPlan` prop to add the table to an AWS Backup plan '
      + '(longer retention, copies to other Regions or accounts), at the cost of backup storage.');
  }

  /** Provisioned capacity above the default (adjustable) per-table quota fails at deploy unless the quota was raised. */
  private warnAboutQuotas(props: WorkloadSizedTableProps): void {
    if (this.readCapacity === undefined || this.writeCapacity === undefined) return;
    const max = props.autoScaling?.maxMultiplier ?? DEFAULT_MAX_MULTIPLIER;
    const quota = DynamoDbLimits.TABLE_CAPACITY_UNITS_DEFAULT_QUOTA;
    const over = ([['read', this.readCapacity], ['write', this.writeCapacity]] as Array<[string, number]>)
      .filter(([, units]) => Math.ceil(units * max) > quota).map(([kind, units]) => `${kind} ${units} (auto scaling up to ${Math.ceil(units * max)})`);
    if (over.length > 0) {
      Annotations.of(this).addWarningV2('@analytics-patterns/storage:TableCapacityQuota',
        `Provisioned capacity above the default quota of ${quota} units per table: ${over.join(', ')}. Raise the account's DynamoDB table quota, `
        + 'or the deployment (or scaling) fails: see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html');
    }
  }
}

/** Fails with the prop's name when a number the construct computes with is a token. */
function requireKnown(scope: IConstruct, prop: string, value: number | undefined, why: string): void {
  Validate.that(scope, value === undefined || !Token.isUnresolved(value), {
    prop, value: 'a token', allowed: 'a number known at synth', hint: `The construct computes with it (${why}); use on-demand capacity for deploy-time values.`,
  });
}

/** The workload's numbers: known at synth, item sizes 0-400 KB, rates not negative. */
function validateWorkload(scope: IConstruct, workload: TableWorkload): void {
  const reads: DynamoDbReadWorkload = workload.reads;
  const writes: DynamoDbWriteWorkload = workload.writes;
  const numbers: Array<[string, number]> = [
    ['workload.reads.itemSizeKb', reads.itemSizeKb], ['workload.reads.readsPerSecond', reads.readsPerSecond],
    ['workload.writes.itemSizeKb', writes.itemSizeKb], ['workload.writes.writesPerSecond', writes.writesPerSecond],
  ];
  numbers.forEach(([prop, v]) => requireKnown(scope, prop, v, 'capacity units are computed from the workload at synth'));
  for (const [prop, v] of numbers) {
    if (prop.endsWith('itemSizeKb')) {
      Validate.number(scope, v, { prop, ...DynamoDbLimits.ITEM_SIZE_KB });
      Validate.that(scope, v > 0, { prop, value: v, allowed: `more than 0 and at most ${DynamoDbLimits.ITEM_SIZE_KB.max} KB` });
    } else {
      Validate.number(scope, v, { prop, min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'per second' });
    }
  }
}

/** Sets a token target on the target-tracking policy the L2 created under `attribute`. */
function setTargetValue(attribute: IConstruct, target: number): void {
  const policy = attribute.node.findAll().find((c): c is appscaling.CfnScalingPolicy => c instanceof appscaling.CfnScalingPolicy)!;
  const config = policy.targetTrackingScalingPolicyConfiguration as appscaling.CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty;
  policy.targetTrackingScalingPolicyConfiguration = { ...config, targetValue: target };
}
