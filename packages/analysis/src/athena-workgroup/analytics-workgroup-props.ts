import { IDataLakeTable } from '@analytics-patterns/storage';
import { Duration, Size } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';

/** A saved query of the workgroup. */
export interface NamedQueryOptions {
  /** Query name (1-128 characters). */
  readonly name: string;
  /** Database the query runs in. */
  readonly database: string;
  /** SQL text (1-262,144 bytes). */
  readonly queryString: string;
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
}

/** What {@link AnalyticsWorkgroup.grantQuery} grants besides running queries. */
export interface QueryGrantOptions {
  /**
   * Tables the principal may read through Athena (catalog read, and S3 read of the
   * table prefix unless `lakeFormation`).
   * @default - none (grant catalog and data access separately)
   */
  readonly tables?: IDataLakeTable[];
  /**
   * The tables are governed by Lake Formation: grant catalog read and
   * `lakeformation:GetDataAccess` but no S3 access (Lake Formation vends credentials
   * for what its grants allow: columns, rows, cells).
   * @default false
   */
  readonly lakeFormation?: boolean;
}

/** Props for {@link AnalyticsWorkgroup}. */
export interface AnalyticsWorkgroupProps {
  /** Workgroup name: 1-128 letters, digits, ".", "_" and "-". */
  readonly workgroupName: string;
  /**
   * Description (at most 1,024 characters).
   * @default - none
   */
  readonly description?: string;
  /**
   * Customer-managed key for query results (SSE_KMS) and the new results bucket.
   * @default - the existing results bucket's key, or a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket for query results instead of a new SecureBucket (it must accept SSE-KMS objects with `encryptionKey`).
   * @default - a new SecureBucket
   */
  readonly existingResultsBucket?: s3.IBucket;
  /**
   * Key prefix of query results, ending with "/".
   * @default 'athena-results/<workgroupName>/'
   */
  readonly resultsPrefix?: string;
  /**
   * Delete query results after this long (lifecycle rule of the new bucket), whole days.
   * @default Duration.days(30)
   */
  readonly resultsRetention?: Duration;
  /**
   * Per-query data usage control: Athena cancels any query that scans more.
   * At least 10 MB = 10,000,000 bytes (Athena's minimum; it also bills at least 10 MB per
   * query); a token must be given in bytes (`Size.bytes(...)`).
   * @default Size.gibibytes(10)
   */
  readonly bytesScannedCutoffPerQuery?: Size;
  /**
   * Per-workgroup data usage control: alarm when all queries of the workgroup
   * together scan more than this within `dataUsagePeriod`; at least the per-query cutoff.
   * A token must be given in bytes.
   * @default Size.tebibytes(1)
   */
  readonly dataUsageLimit?: Size;
  /**
   * Period of the per-workgroup limit: 1 hour to 1 day, whole minutes.
   * @default Duration.days(1)
   */
  readonly dataUsagePeriod?: Duration;
  /**
   * SNS topic notified when the per-workgroup limit is breached (and back to OK).
   * @default - a new encrypted topic (`alarmTopic`), so the alarm notifies someone
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Saved queries.
   * @default - none
   */
  readonly namedQueries?: NamedQueryOptions[];
}
