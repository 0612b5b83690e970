import { DynamoDbReadWorkload, DynamoDbWriteWorkload } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';

/** Provisioned-mode auto scaling (target tracking on consumed capacity). */
export interface TableAutoScaling {
  /**
   * Maximum capacity, as a multiple of the computed (minimum) capacity.
   * @default 4
   */
  readonly maxMultiplier?: number;
  /**
   * Target utilization, 20-90 %.
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
   * Point-in-time recovery window, 1-35 days.
   * @default Duration.days(35)
   */
  readonly pointInTimeRecoveryPeriod?: Duration;
  /**
   * Attribute holding each item's expiry (epoch seconds) for TTL deletion.
   * @default - no TTL
   */
  readonly timeToLiveAttribute?: string;
  /**
   * Physical table name.
   * @default - generated
   */
  readonly tableName?: string;
}
