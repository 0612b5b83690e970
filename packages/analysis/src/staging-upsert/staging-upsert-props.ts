import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TableDefinition } from '../redshift-table/table-definition';
import { RedshiftWarehouse } from '../redshift-warehouse/redshift-warehouse';
import { LoadCompression, LoadFormat, UpsertStrategy } from './upsert-sql';

/** Props for {@link StagingUpsert}. */
export interface StagingUpsertProps {
  /** The warehouse that holds the target table. */
  readonly warehouse: RedshiftWarehouse;
  /** The target table (created on the first load if missing). */
  readonly table: TableDefinition;
  /** Column that decides which of several rows with the same key in one load wins (greatest value). */
  readonly orderColumn: string;
  /** Bucket that holds the manifests and the files they list (COPY gets read access to it). */
  readonly sourceBucket: s3.IBucket;
  /**
   * Key prefix of manifests: letters, digits and `!_.()=/-`, ending with "/".
   * Only manifests under it are loaded.
   */
  readonly manifestPrefix: string;
  /**
   * Key suffix of manifests.
   * @default '.manifest'
   */
  readonly manifestSuffix?: string;
  /**
   * Format of the listed files.
   * @default LoadFormat.PARQUET
   */
  readonly format?: LoadFormat;
  /**
   * Compression of CSV/JSON files (must be NONE for Parquet).
   * @default LoadCompression.NONE
   */
  readonly compression?: LoadCompression;
  /**
   * DELETE + INSERT (the notes' pattern) or MERGE.
   * @default UpsertStrategy.DELETE_INSERT
   */
  readonly strategy?: UpsertStrategy;
  /**
   * Ledger table (in the target's schema) that records applied manifests.
   * @default 'load_ledger'
   */
  readonly ledgerTable?: string;
  /**
   * Database.
   * @default - the warehouse's database
   */
  readonly database?: string;
  /**
   * Start a load when a manifest lands (S3 "Object Created" event on EventBridge; the bucket
   * must send events to EventBridge, e.g. SecureBucket `eventBridgeEnabled: true`).
   * @default true
   */
  readonly triggerOnManifest?: boolean;
  /**
   * Also (or instead) load `scheduledManifestKey` on a schedule. A manifest already applied
   * (same key and ETag) changes nothing, so a fixed key that a producer rewrites works.
   * @default - no schedule
   */
  readonly schedule?: events.Schedule;
  /**
   * Manifest loaded by the schedule (under `manifestPrefix`, ending with `manifestSuffix`).
   * @default - required with `schedule`
   */
  readonly scheduledManifestKey?: string;
  /**
   * Topic notified when a load fails, times out or is aborted (EventBridge rule on the
   * execution status).
   * @default - a new SNS topic encrypted with the warehouse key, TLS only
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Time between statement status polls: 1-300 seconds.
   * @default Duration.seconds(15)
   */
  readonly pollInterval?: Duration;
  /**
   * Runs of the whole batch after a transient Redshift error (serializable isolation violation, lock, connection): 1-10.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Execution timeout: 1 minute to 24 hours.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the state machine's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
