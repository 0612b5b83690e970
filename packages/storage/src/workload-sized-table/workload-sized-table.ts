import { DynamoDbCapacity, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WorkloadSizedTableProps } from './workload-sized-table-props';

/**
 * A DynamoDB table sized from its workload (notes 2.3).
 *
 * Without a workload it is on-demand. With one, its provisioned read and write
 * capacity come from `DynamoDbCapacity` (1 WCU = one write/s of up to 1 KB;
 * 1 RCU = one strongly consistent or two eventually consistent reads/s of up to
 * 4 KB; item sizes round up), with target-tracking auto scaling above that floor.
 *
 * Secure and durable by default: encrypted with a customer-managed key,
 * point-in-time recovery (35 days), deletion protection, RETAIN (sandbox mode:
 * DESTROY, no deletion protection).
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
    const pitrDays = (props.pointInTimeRecoveryPeriod ?? Duration.days(35)).toDays();
    Validate.integer(this, 'pointInTimeRecoveryPeriod', 1, 35, pitrDays, 'days');
    Validate.that(this, props.workload !== undefined || props.autoScaling === undefined, {
      prop: 'autoScaling', value: 'given', allowed: 'only together with workload (on-demand tables scale by themselves)',
    });
    const scaling = props.autoScaling ?? {};
    Validate.range(this, 'autoScaling.maxMultiplier', 1, 100, scaling.maxMultiplier);
    Validate.integer(this, 'autoScaling.targetUtilizationPercent', 20, 90, scaling.targetUtilizationPercent, 'percent');
    if (props.timeToLiveAttribute !== undefined) {
      Validate.pattern(this, 'timeToLiveAttribute', '^[A-Za-z0-9_.-]{1,255}$', 'an attribute name of 1-255 letters, digits, "_", "." or "-"', props.timeToLiveAttribute);
    }

    if (props.workload) {
      this.readCapacity = Math.max(1, DynamoDbCapacity.readCapacityUnits(props.workload.reads));
      this.writeCapacity = Math.max(1, DynamoDbCapacity.writeCapacityUnits(props.workload.writes));
    }
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    const sandbox = Sandbox.isEnabled(this);
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      billingMode: props.workload ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
      readCapacity: this.readCapacity,
      writeCapacity: this.writeCapacity,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: pitrDays },
      deletionProtection: !sandbox,
      timeToLiveAttribute: props.timeToLiveAttribute,
      removalPolicy: Sandbox.removalPolicy(this),
    });

    if (this.readCapacity !== undefined && this.writeCapacity !== undefined) {
      const max = scaling.maxMultiplier ?? 4;
      const target = scaling.targetUtilizationPercent ?? 70;
      this.table.autoScaleReadCapacity({ minCapacity: this.readCapacity, maxCapacity: Math.ceil(this.readCapacity * max) })
        .scaleOnUtilization({ targetUtilizationPercent: target });
      this.table.autoScaleWriteCapacity({ minCapacity: this.writeCapacity, maxCapacity: Math.ceil(this.writeCapacity * max) })
        .scaleOnUtilization({ targetUtilizationPercent: target });
    }
  }
}
