import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LoadCompression, LoadFormat, UpsertStrategy } from './upsert-sql';
import { TableDefinition } from '../redshift-table/table-definition';
import { IRedshiftWarehouse } from '../redshift-warehouse/i-redshift-warehouse';

/** Props for {@link StagingUpsert}. */
export interface StagingUpsertProps {
  /** The warehouse that holds the target table (a `RedshiftWarehouse`, or your own implementation). */
  readonly warehouse: IRedshiftWarehouse;
  /** The target table (created on the first load if missing). */
  readonly table: TableDefinition;
  /**
   * Column that orders versions of a row (e.g. `updated_at`): of every version of a key, staged
   * in this load or already in the target, the greatest wins (NULL is oldest), so an older
   * manifest never overwrites newer rows. Ties are broken by the other non-key columns in table
   * order. Not a key column, not REAL/DOUBLE PRECISION.
   */
  readonly orderColumn: string;
  /** Bucket that holds the manifests and the files they list (COPY gets read access to it). */
  readonly sourceBucket: s3.IBucket;
  /**
   * Key prefix every data file a manifest lists must be under (the state machine reads their
   * ETags and sizes there, and rejects manifests that point elsewhere). Empty: the whole bucket.
   * @default '' (the whole source bucket)
   */
  readonly dataPrefix?: string;
  /**
   * Where the state machine writes the frozen copy of each manifest that COPY reads
   * (`<prefix><data id>.manifest.json`, one small object per distinct data set): outside
   * `manifestPrefix`, so writing it starts no load. Expire it with a lifecycle rule if you like;
   * it is read only while its load runs.
   * @default 'upsert-frozen-manifests/<schema>/<table>/'
   */
  readonly frozenManifestPrefix?: string;
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
   * Ledger table (in the target's schema): one row per (target, data id) applied, with the
   * manifest key, ETag and version id, file count and bytes, rows staged and applied, load sequence.
   * @default 'upsert_ledger'
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
   * Also (or instead) load `scheduledManifestKey` on a schedule. Data already applied (same files
   * with the same ETags and sizes) changes nothing, so a fixed key that a producer rewrites works,
   * including a byte-identical manifest over new data files. Run by EventBridge Scheduler
   * (cron or rate, optionally in an IANA time zone; checked with Scheduler's rules at synth).
   * @default - no schedule
   */
  readonly schedule?: scheduler.ScheduleExpression;
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
   * Time between statement status polls: 1-300 whole seconds. With `timeout`, bounded by the
   * execution history quota: `timeout / pollInterval` may be at most UpsertLimits.MAX_POLLS
   * (checked at synth; the state machine also stops polling at that count when either is a token).
   * @default Duration.seconds(15)
   */
  readonly pollInterval?: Duration;
  /**
   * Runs of the whole batch after a transient Redshift error (serializable isolation violation, lock, connection): 1-10.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Execution timeout, whole seconds: from `2 x pollInterval + 120 s` up to 8 hours (the Data API
   * keeps a ClientToken 8 hours, so a retried call can never run a batch twice). A statement still
   * running 120 s + one poll before it is cancelled (CancelStatement) and the execution fails.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the state machine's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
