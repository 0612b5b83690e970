import { DynamoDbReadWorkload, DynamoDbWriteWorkload } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';

/** Provisioned-mode auto scaling (target tracking on consumed capacity). */
export interface TableAutoScaling {
  /**
   * Maximum capacity, as a multiple of the computed (minimum) capacity: 1-100. It is multiplied at
   * synth, so it must be a number, not a token.
   * @default 4
   */
  readonly maxMultiplier?: number;
  /**
   * Target utilization, 20-90 % (a token is accepted).
   * @default 70
   */
  readonly targetUtilizationPercent?: number;
}

/** A read and write workload from which provisioned capacity is computed. */
export interface TableWorkload {
  /** Peak reads. */
  readonly reads: DynamoDbReadWorkload;
  /** Peak writes. */
  readonly writes: DynamoDbWriteWorkload;
}

/** Props for {@link WorkloadSizedTable}. */
export interface WorkloadSizedTableProps {
  /** Partition key. Pick a high-cardinality key: one partition key value serves at most 3,000 RCU and 1,000 WCU. */
  readonly partitionKey: dynamodb.Attribute;
  /**
   * Sort key.
   * @default - none
   */
  readonly sortKey?: dynamodb.Attribute;
  /**
   * Size provisioned capacity from this workload with `DynamoDbCapacity` (notes 2.3 formulas).
   * The capacity is computed at synth, so the workload's numbers must be numbers, not tokens (a
   * token fails with the prop's name: use on-demand capacity for a deploy-time workload).
   * @default - on-demand capacity (no capacity planning; switching modes is possible, with limits)
   */
  readonly workload?: TableWorkload;
  /**
   * Auto scaling of provisioned capacity (only with `workload`).
   * @default - auto scaling from the computed capacity to 4x, at 70 % utilization
   */
  readonly autoScaling?: TableAutoScaling;
  /**
   * Customer-managed key.
   * @default - a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Point-in-time recovery window: a whole number of days from 1 to 35 (a token must be given in
   * days, `Duration.days(param.valueAsNumber)`).
   * @default Duration.days(35)
   */
  readonly pointInTimeRecoveryPeriod?: Duration;
  /**
   * Attribute holding each item's expiry (epoch seconds) for TTL deletion (1-255 characters).
   * @default - no TTL
   */
  readonly timeToLiveAttribute?: string;
  /**
   * Physical table name: 3-255 letters, digits, "_", "-" and ".".
   * @default - generated
   */
  readonly tableName?: string;
  /**
   * AWS Backup plan that backs the table up (the compliance packs' `DynamoDBInBackupPlan`): longer
   * retention than point-in-time recovery's 35 days, copies to other Regions or accounts, vault
   * lock. Costs backup storage per GB-month (and restores per GB); the selection role uses AWS
   * Backup's managed service-role policy.
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
   * @default - no backup plan (`DynamoDBInBackupPlan` is acknowledged naming this prop)
   */
  readonly backupPlan?: backup.IBackupPlan;
}
